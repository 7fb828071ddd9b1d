import { DEFAULT_POLICY, DEFAULT_TARGET_LIMITS, Decision, parseTarget, ScalingTarget, targetProblems } from '@smartscale/contracts';
import type { ForecastSummary } from '@smartscale/policy';
import type { ControllerActivities, ObserveResult } from '../../workflows/src/activities/controller-activity.types';

/**
 * The time the workflow under test sees: Temporal's time-skipping test environment (a TestWorkflowEnvironment
 * fits as it is), or the wall clock when a controller runs on the real dev server (record-history.ts).
 */
export interface WorldClock {
  currentTimeMs(): Promise<number>;
  sleep(ms: number): Promise<void>;
}

export const WALL_CLOCK: WorldClock = {
  currentTimeMs: async () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export const target: ScalingTarget = {
  id: 'checkout',
  service: 'checkout',
  scaler: { kind: 'local' },
  policy: {
    ...DEFAULT_POLICY,
    minReplicas: 1,
    maxReplicas: 6,
    capacityPerReplica: 10,
    headroom: 0,
    scaleUpMaxStep: 4,
    tickIntervalMs: 10_000,
    scaleUpCooldownMs: 30_000,
  },
};

/** A fake world for the workflow under test: a scaler that remembers what it was told, and a load knob. Spec support, never in `dist`. */
export class FakeWorld {
  replicas = 1;
  load = 5;
  forecastFails = false;
  pending: number | null = 0;
  applied: { replicas: number; key: string }[] = [];
  recorded: Decision[] = [];
  /** Faults to inject: each throws from its activity while set. */
  observeFails: Error | null = null;
  applyFails: Error | null = null;
  recordFails: Error | null = null;
  applyCalls = 0;

  constructor(private readonly env: WorldClock) {}

  activities(): ControllerActivities {
    return {
      // Windows are stamped with the world's clock (the test server's skipped one), which the workflow's Date.now() follows.
      observe: async (): Promise<ObserveResult> => {
        if (this.observeFails) throw this.observeFails;
        const windowEnd = await this.env.currentTimeMs();
        return {
          window: { eventsPerSecond: this.load, windowEnd, consumerLag: 0 },
          currentReplicas: this.replicas,
          pendingEvents: this.pending,
        };
      },
      forecast: async (): Promise<ForecastSummary> => {
        if (this.forecastFails) throw new Error('connect ECONNREFUSED 127.0.0.1:3002');
        return { peakEventsPerSecond: this.load, basedOnWindowEnd: await this.env.currentTimeMs(), anomalyScore: 0 };
      },
      apply: async (_t, replicas, key) => {
        this.applyCalls++;
        if (this.applyFails) throw this.applyFails;
        this.applied.push({ replicas, key });
        this.replicas = replicas;
        return replicas;
      },
      record: async (_id, d) => {
        if (this.recordFails) throw this.recordFails;
        this.recorded.push(d);
      },
      // The worker's real check: the REST API's schema with the default caps.
      validateTarget: async (t) => {
        const problems = targetProblems(t, DEFAULT_TARGET_LIMITS);
        return problems.length > 0 ? { ok: false, problems } : { ok: true, target: parseTarget(t, DEFAULT_TARGET_LIMITS) };
      },
    };
  }

  /** Waits (skipping test-server time) until the workflow has recorded more decisions. */
  async nextDecisions(n: number): Promise<Decision[]> {
    const want = this.recorded.length + n;
    while (this.recorded.length < want) await this.env.sleep(1_000);
    return this.recorded.slice(-n);
  }
}
