import type { ControllerActivities, ObserveResult } from '../../workflows/src/activities/controller-activity.types';
import { MAX_POLICY_REPLICAS, parseTarget } from '@smartscale/contracts';
import { percentile } from '../bench-aggregate/bench';

/**
 * Synthetic but deterministic load per target: a sine around `base` with its own period and phase, so
 * that a thousand targets scale up and down at different times, as a fleet of real services does.
 */
export function loadAt(index: number, tMs: number, base = 200): number {
  const period = 40_000 + (index % 7) * 10_000;
  const phase = (index * 2.399) % (2 * Math.PI);
  return Math.max(0, base * (1 + 0.8 * Math.sin((2 * Math.PI * tMs) / period + phase)));
}

export interface ControllerBenchFigures {
  targets: number;
  tick_ms: number;
  seconds: number;
  decisions: number;
  decisions_per_s: number;
  /** What the targets ask for: one decision per target per tick. */
  demanded_decisions_per_s: number;
  applied: number;
  tick_to_applied_p50_ms: number | null;
  tick_to_applied_p99_ms: number | null;
  tick_to_recorded_p50_ms: number | null;
  tick_to_recorded_p99_ms: number | null;
  history_events_per_decision: number | null;
}

/**
 * The controller's activities with the outside world replaced by `loadAt` and an in-memory replica
 * count, instrumented: the workflow, its timers, retries and Temporal are the real ones.
 */
export class InstrumentedActivities {
  readonly replicas = new Map<string, number>();
  /** Every decision recorded, warm-up included: the denominator of history events per decision. */
  readonly decisionsByTarget = new Map<string, number>();
  private readonly tickStart = new Map<string, number>();
  readonly toApplied: number[] = [];
  readonly toRecorded: number[] = [];
  measuring = false;
  decisions = 0;
  applied = 0;

  constructor(
    private readonly indexOf: (targetId: string) => number,
    private readonly windowMs: number,
  ) {}

  activities(): ControllerActivities {
    return {
      observe: async (target): Promise<ObserveResult> => {
        const now = Date.now();
        this.tickStart.set(target.id, now);
        const windowEnd = Math.floor(now / this.windowMs) * this.windowMs;
        return {
          window: { eventsPerSecond: loadAt(this.indexOf(target.id), windowEnd), windowEnd, consumerLag: 0 },
          currentReplicas: this.replicas.get(target.id) ?? target.policy.minReplicas,
          pendingEvents: 0,
        };
      },
      forecast: async () => {
        throw new Error('no predictor in this benchmark');
      },
      apply: async (target, replicas) => {
        this.replicas.set(target.id, replicas);
        if (this.measuring) {
          this.applied++;
          this.toApplied.push(Date.now() - (this.tickStart.get(target.id) ?? Date.now()));
        }
        return replicas;
      },
      record: async (targetId) => {
        this.decisionsByTarget.set(targetId, (this.decisionsByTarget.get(targetId) ?? 0) + 1);
        if (!this.measuring) return;
        this.decisions++;
        this.toRecorded.push(Date.now() - (this.tickStart.get(targetId) ?? Date.now()));
      },
      // The worker's schema check, without the deployment caps: the bench sets its own tick interval.
      validateTarget: async (target) => ({
        ok: true,
        target: parseTarget(target, { maxLocalReplicas: MAX_POLICY_REPLICAS, minTickIntervalMs: 100 }),
      }),
    };
  }

  figures(targets: number, tickMs: number, seconds: number, historyEventsPerDecision: number | null): ControllerBenchFigures {
    const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
    return {
      targets,
      tick_ms: tickMs,
      seconds,
      decisions: this.decisions,
      decisions_per_s: round(this.decisions / seconds)!,
      demanded_decisions_per_s: round((targets * 1000) / tickMs)!,
      applied: this.applied,
      tick_to_applied_p50_ms: round(percentile(this.toApplied, 50)),
      tick_to_applied_p99_ms: round(percentile(this.toApplied, 99)),
      tick_to_recorded_p50_ms: round(percentile(this.toRecorded, 50)),
      tick_to_recorded_p99_ms: round(percentile(this.toRecorded, 99)),
      history_events_per_decision: historyEventsPerDecision === null ? null : round(historyEventsPerDecision),
    };
  }
}
