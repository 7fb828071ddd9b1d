import { Logger } from '@nestjs/common';
import { Scaler, ScalerMisconfigured } from '../scalers/scaler';
import { KedaDecisions } from './keda-decisions';

/**
 * The scaler of a `keda` target: KEDA scales the workload, SmartScale decides. apply() never touches the
 * workload; it publishes the count to the external scaler (GetMetrics answers it, StreamIsActive pushes
 * it), and the decision with its reasons is recorded by the controller like any other.
 *
 * current() is the count last published, so each decision starts from the previous one as with any
 * scaler. Before the first publish in this process (a new target, or a worker restart) it is the policy's
 * minimum: the scaler cannot read the cluster (KEDA's own RBAC does, not the worker's), and the
 * controller's step limits and stabilisation keep that first decision from jumping.
 */
export class KedaScaler implements Scaler {
  private readonly logger: Logger;

  constructor(
    private readonly targetId: string,
    private readonly decisions: KedaDecisions,
    private readonly initialReplicas: number,
  ) {
    this.logger = new Logger(`KedaScaler:${targetId}`);
  }

  async current(): Promise<number> {
    return this.decisions.get(this.targetId)?.replicas ?? this.initialReplicas;
  }

  async apply(replicas: number, idempotencyKey: string): Promise<number> {
    if (!Number.isInteger(replicas) || replicas < 0) throw new ScalerMisconfigured(`invalid replica count ${replicas}`);
    // Publishing the same count twice is harmless: KEDA reads a level, not an event.
    this.decisions.publish(this.targetId, replicas);
    this.logger.log(`published ${replicas} replicas for KEDA (${idempotencyKey})`);
    return replicas;
  }

  async close(): Promise<void> {}
}
