import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ScalingTarget } from '@smartscale/contracts';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { KedaDecisions } from '../keda/keda-decisions';
import { KedaScaler } from '../keda/keda.scaler';
import { KubernetesScaler } from './kubernetes.scaler';
import { LocalSupervisorScaler } from './local-supervisor.scaler';
import { ShadowScaler } from './shadow.scaler';
import { Scaler } from './scaler';
import { WebhookScaler } from './webhook.scaler';
import { WebhookUrlPolicy } from './webhook-url';

/**
 * One scaler per target, created on first use and keyed by the target's whole scaler spec: a target
 * deleted and added again with another scaler (or another URL, namespace, ...) gets a new one, and the
 * old one is closed (a local one stops its processes).
 */
@Injectable()
export class ScalersService implements OnApplicationShutdown {
  private readonly logger = new Logger(ScalersService.name);
  /** The promise, not the scaler: two calls racing for a new target build it once. */
  private readonly scalers = new Map<string, { key: string; scaler: Promise<Scaler> }>();

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly kedaDecisions: KedaDecisions,
  ) {}

  async forTarget(target: ScalingTarget): Promise<Scaler> {
    const key = scalerKey(target.scaler);
    const existing = this.scalers.get(target.id);
    if (existing?.key === key) return existing.scaler;
    if (existing) {
      this.logger.log(`${target.id}: scaler spec changed, closing the old ${JSON.parse(existing.key).kind} scaler`);
      await this.release(target.id);
    }
    const scaler = this.create(target);
    this.scalers.set(target.id, { key, scaler });
    // A scaler that failed to build is not cached: the next call tries again.
    void scaler.catch(() => this.scalers.get(target.id)?.scaler === scaler && this.scalers.delete(target.id));
    return scaler;
  }

  /** The target was removed: its scaler is closed and forgets it (a local one stops its processes and drops its state file). */
  async release(targetId: string): Promise<void> {
    const entry = this.scalers.get(targetId);
    if (!entry) return;
    this.scalers.delete(targetId);
    const scaler = await entry.scaler.catch(() => null);
    if (scaler instanceof LocalSupervisorScaler) await scaler.retire();
    else await scaler?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.scalers.values()].map(async (e) => (await e.scaler.catch(() => null))?.close()));
  }

  private async create(target: ScalingTarget): Promise<Scaler> {
    if (target.scaler.kind === 'webhook')
      return new WebhookScaler(
        target.id,
        target.scaler.url,
        this.config.webhookSecret,
        new WebhookUrlPolicy(this.config.webhookAllowedNetworks),
      );
    if (target.scaler.kind === 'kubernetes') return KubernetesScaler.connect(target.id, target.scaler, this.config.kubernetes);
    if (target.scaler.kind === 'keda') return new KedaScaler(target.id, this.kedaDecisions, target.policy.minReplicas);
    if (target.scaler.kind === 'shadow')
      return new ShadowScaler(await KubernetesScaler.connect(target.id, target.scaler.source, this.config.kubernetes));
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

/** The whole scaler spec with sorted keys: equal specs give equal keys whatever the key order. */
export function scalerKey(spec: ScalingTarget['scaler']): string {
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, sorted(x)]),
        )
      : v;
  return JSON.stringify(sorted(spec));
}
