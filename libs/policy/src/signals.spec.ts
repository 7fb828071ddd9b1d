import { DEFAULT_POLICY, ScalingPolicy } from '@smartscale/contracts';
import { decide, DecideInput } from './decide';

const NOW = 1_000_000;
const policy: ScalingPolicy = {
  ...DEFAULT_POLICY,
  capacityPerReplica: 50,
  minReplicas: 1,
  maxReplicas: 10,
  latencyP95TargetMs: 200,
  maxErrorRate: 0.05,
};

function input(
  eps: number,
  current: number,
  quality: { latencyP95?: number | null; errorRate?: number | null },
  over: Partial<DecideInput> = {},
): DecideInput {
  return {
    now: NOW,
    observation: { eventsPerSecond: eps, windowEnd: NOW - 5_000, consumerLag: 0, currentReplicas: current, ...quality },
    forecast: null,
    policy,
    state: { lastScaleUpAt: null, lastScaleDownAt: null, recommendations: [] },
    lastKnownReplicas: current,
    ...over,
  };
}

describe('latency and errors as signals', () => {
  it('adds replicas by the HPA ratio when p95 is above its target, whatever the rate says', () => {
    const d = decide(input(100, 2, { latencyP95: 500 })); // rate needs 2; 2 × 500 / 200 = 5
    expect([d.action, d.to]).toEqual(['up', 5]);
    expect(d.reasons.map((r) => r.code)).toContain('latency');
    expect(d.inputs.observedLatencyP95Ms).toBe(500);
  });

  it('asks nothing within the up tolerance, when unset, or when the window has no latency', () => {
    expect(decide(input(100, 2, { latencyP95: 220 })).to).toBe(2);
    expect(decide(input(100, 2, { latencyP95: null })).to).toBe(2);
    expect(decide(input(100, 2, { latencyP95: 500 }, { policy: { ...policy, latencyP95TargetMs: undefined } })).to).toBe(2);
  });

  it('never scales down while the error rate is above its limit, and says why', () => {
    const quiet = input(10, 6, { errorRate: 0.2 });
    const held = decide(quiet);
    expect([held.action, held.to]).toEqual(['hold', 6]);
    expect(held.reasons.map((r) => r.code)).toContain('errors');
    expect(held.inputs.observedErrorRate).toBe(0.2);
    expect(decide(input(10, 6, { errorRate: 0.01 })).action).toBe('down');
  });

  it('keeps decisions of observations without these fields as they were (recorded histories)', () => {
    const old = input(100, 2, {});
    expect(decide(old)).toEqual(decide({ ...old, policy: { ...policy, latencyP95TargetMs: undefined, maxErrorRate: undefined } }));
  });
});
