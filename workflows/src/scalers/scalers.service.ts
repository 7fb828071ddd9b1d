import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ScalingTarget } from '@smartscale/contracts';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { KedaDecisions } from '../keda/keda-decisions';
import { KedaScaler } from '../keda/keda.scaler';
import { KubernetesScaler } from './kubernetes.scaler';
import { LocalSupervisorScaler } from './local-supervisor.scaler';
import { ObserveScaler } from './observe.scaler';
import { Scaler } from './scaler';
import { WebhookScaler } from './webhook.scaler';
import { WebhookUrlPolicy } from './webhook-url';

/** One scaler per target, created on first use from the target's scaler spec. */
@Injectable()
export class ScalersService implements OnApplicationShutdown {
  private readonly scalers = new Map<string, Scaler>();

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly kedaDecisions: KedaDecisions,
  ) {}

  async forTarget(target: ScalingTarget): Promise<Scaler> {
    let scaler = this.scalers.get(target.id);
    if (!scaler) {
      scaler = await this.create(target);
      this.scalers.set(target.id, scaler);
    }
    return scaler;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.scalers.values()].map((s) => s.close()));
  }

  private async create(target: ScalingTarget): Promise<Scaler> {
    if (target.scaler.kind === 'webhook') return new WebhookScaler(target.id, target.scaler.url, this.config.webhookSecret, new WebhookUrlPolicy(this.config.webhookAllowedNetworks));
    if (target.scaler.kind === 'kubernetes') return KubernetesScaler.connect(target.id, target.scaler, this.config.kubernetes);
    if (target.scaler.kind === 'keda') return new KedaScaler(target.id, this.kedaDecisions, target.policy.minReplicas);
    if (target.scaler.kind === 'observe') return new ObserveScaler(await KubernetesScaler.connect(target.id, target.scaler.source, this.config.kubernetes));
    const local = new LocalSupervisorScaler({
      targetId: target.id,
      entry: this.config.localScaler.entry,
      stateDir: this.config.localScaler.stateDir,
      initialReplicas: target.policy.minReplicas,
      env: { ...process.env, SMARTSCALE_KAFKA_BROKERS: this.config.kafka.brokers.join(',') },
    });
    await local.start();
    return local;
  }
}
