import { Scaler, ScalerMisconfigured } from './scaler';

/**
 * Shadows a workload that another autoscaler (HPA, KEDA) scales: reports the replica count it set, so
 * that each recommendation is recorded next to what the cluster really had, and refuses to change it.
 * Targets with this scaler must be in recommend mode (validated at load and by the setPolicy update).
 */
export class ShadowScaler implements Scaler {
  constructor(private readonly source: Scaler) {}

  current(): Promise<number> {
    return this.source.current();
  }

  async apply(replicas: number, idempotencyKey: string): Promise<number> {
    throw new ScalerMisconfigured(
      `a shadow scaler never changes replicas (${idempotencyKey} asked for ${replicas}): use mode "recommend", or a kubernetes scaler to enforce`,
    );
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
