import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Decision } from '@smartscale/contracts';

/**
 * The worker's Prometheus metrics, registered on the app's registry (served at /metrics by the ops
 * module): the controller's decisions per target, and its activities' executions and retries. Ours,
 * not the Temporal SDK's Prometheus exporter: that one listens on a port of its own and knows nothing
 * of targets, while these land on the app's /metrics beside the rest.
 */
export class WorkerMetrics {
  readonly decisions: Counter<'target' | 'action'>;
  readonly desiredReplicas: Gauge<'target'>;
  readonly readyReplicas: Gauge<'target'>;
  readonly lastDecision: Gauge<'target'>;
  readonly activityExecutions: Counter<'activity' | 'outcome'>;
  readonly activityRetries: Counter<'activity'>;
  readonly activitySeconds: Histogram<'activity'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.decisions = new Counter({
      name: 'smartscale_worker_decisions_total',
      help: 'Decisions recorded, by target and action (up, down, hold)',
      labelNames: ['target', 'action'],
      registers,
    });
    this.desiredReplicas = new Gauge({
      name: 'smartscale_worker_desired_replicas',
      help: 'Replicas the last decision asked for',
      labelNames: ['target'],
      registers,
    });
    this.readyReplicas = new Gauge({
      name: 'smartscale_worker_ready_replicas',
      help: "Replicas the target's scaler reported when the last decision was made",
      labelNames: ['target'],
      registers,
    });
    this.lastDecision = new Gauge({
      name: 'smartscale_worker_last_decision_timestamp_seconds',
      help: 'When the last decision of a target was recorded',
      labelNames: ['target'],
      registers,
    });
    this.activityExecutions = new Counter({
      name: 'smartscale_worker_activity_executions_total',
      help: 'Activity executions (attempts), by outcome',
      labelNames: ['activity', 'outcome'],
      registers,
    });
    this.activityRetries = new Counter({
      name: 'smartscale_worker_activity_retries_total',
      help: 'Activity attempts after the first (Temporal retried them)',
      labelNames: ['activity'],
      registers,
    });
    this.activitySeconds = new Histogram({
      name: 'smartscale_worker_activity_duration_seconds',
      help: 'Duration of one activity attempt',
      labelNames: ['activity'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  /** After the record activity stored a decision. */
  decisionRecorded(target: string, d: Decision, now: number): void {
    this.decisions.inc({ target, action: d.action });
    this.desiredReplicas.set({ target }, d.to);
    this.readyReplicas.set({ target }, d.from);
    this.lastDecision.set({ target }, now / 1000);
  }

  /** An activity interceptor that counts every attempt, its outcome, its duration, and retries (attempt > 1). */
  activityInterceptor(): ActivityInterceptorsFactory {
    return (ctx: Context) => ({
      inbound: {
        execute: async (input, next) => {
          const activity = ctx.info.activityType;
          if (ctx.info.attempt > 1) this.activityRetries.inc({ activity });
          const end = this.activitySeconds.startTimer({ activity });
          try {
            const result = await next(input);
            this.activityExecutions.inc({ activity, outcome: 'completed' });
            return result;
          } catch (err) {
            this.activityExecutions.inc({ activity, outcome: 'failed' });
            throw err;
          } finally {
            end();
          }
        },
      },
    });
  }
}
