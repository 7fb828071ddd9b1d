import fc from 'fast-check';
import { DEFAULT_SIM_CONFIG, SimConfig } from './config';
import { SmartScaleAutoscaler, smartScalePolicyFor } from './smartscale';
import { POLICY_NAMES, runTrace } from './run';
import { expandRows, scaleToCapacity } from './trace';
import { simulate } from './simulator';
import { ReactiveIdealAutoscaler } from './baselines';

const config: SimConfig = { ...DEFAULT_SIM_CONFIG, peakReplicas: 8, rowSeconds: 60 };

describe(runTrace.name, () => {
  it('never lets any policy beat the oracle on under-provisioning, and the oracle is never short', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 3, maxLength: 40 }), (raw) => {
        const rows = scaleToCapacity(raw, config);
        const { metrics } = runTrace({ name: 't.csv', rows, periods: [] }, config);
        expect(metrics.oracle.under_provisioned_minutes).toBe(0);
        for (const name of POLICY_NAMES) {
          expect(metrics.oracle.under_provisioned_minutes).toBeLessThanOrEqual(metrics[name].under_provisioned_minutes);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('reports every policy with its ratios to HPA', () => {
    const { metrics } = runTrace({ name: 'step.csv', rows: scaleToCapacity([1, 1, 1, 1, 10, 10, 10, 10, 1, 1], config), periods: [] }, config);
    expect(Object.keys(metrics)).toEqual([...POLICY_NAMES]);
    expect(metrics.hpa.vs_hpa?.replica_hours).toBe(1);
    expect(metrics.hpa.steps).toBe(1);
  });
});

describe(SmartScaleAutoscaler.name, () => {
  it('has no look-ahead: a different future does not change what it did before it', () => {
    const past = [5, 5, 8, 12, 20, 20, 9, 5];
    const a = expandRows(scaleToCapacity([...past, 1, 1, 1, 1], config), config.rowSeconds);
    const b = expandRows(scaleToCapacity([...past, 40, 40, 40, 40], config), config.rowSeconds);
    // same scale on both: the futures differ, the pasts are equal in events/s
    b.set(a.subarray(0, past.length * config.rowSeconds));
    const run = (demand: Float64Array) => simulate(demand, new SmartScaleAutoscaler(smartScalePolicyFor(config), config, []), config, 2);
    const until = past.length * config.rowSeconds;
    expect(Array.from(run(a).provisioned.subarray(0, until))).toEqual(Array.from(run(b).provisioned.subarray(0, until)));
  });

  it('after applying, waits as the workflow does: the shorter cooldown, then its next tick', () => {
    const policy = smartScalePolicyFor(config);
    const demand = expandRows(scaleToCapacity([1, 1, 20, 20, 20, 20, 20, 20], config), config.rowSeconds);
    const { provisioned } = simulate(demand, new SmartScaleAutoscaler(policy, config, []), config, 1);
    const changes = [...provisioned.keys()].filter((t) => t > 0 && provisioned[t] !== provisioned[t - 1]);
    expect(changes.length).toBeGreaterThan(1);
    const pause = (Math.min(policy.scaleUpCooldownMs, policy.scaleDownCooldownMs) + policy.tickIntervalMs) / 1000;
    changes.slice(1).forEach((t, i) => expect(t - changes[i]).toBeGreaterThanOrEqual(pause));
  });
});

describe(ReactiveIdealAutoscaler.name, () => {
  it('asks for the need of the newest visible second at once, and holds the highest need of the hold window', () => {
    // capacity 100 at a 70 % target: 70 ev/s per replica; metrics are 15 s late
    const small: SimConfig = { ...config, capacityPerReplica: 100, targetUtilisation: 0.7, metricsDelaySeconds: 15, startupSeconds: 30 };
    const demand = new Float64Array(200).fill(50);
    demand.fill(300, 60, 70); // a 10 s burst needing ceil(300 / 70) = 5 replicas
    const { provisioned } = simulate(demand, new ReactiveIdealAutoscaler(small, 60), small, 1);
    expect(provisioned[75]).toBe(1); // second 60 becomes visible at 76 (metrics up to now − 15)
    expect(provisioned[76]).toBe(5);
    expect(provisioned[144]).toBe(5); // second 69, visible at 85, is held for 60 s of visible time
    expect(provisioned[145]).toBe(1);
  });

  it('is under-provisioned at least as long as a step takes to see and start, and never more on a rising step', () => {
    const small: SimConfig = { ...config, capacityPerReplica: 100, targetUtilisation: 0.7, metricsDelaySeconds: 15, startupSeconds: 30 };
    const demand = new Float64Array(300).fill(50);
    demand.fill(300, 100); // from 1 replica's worth to 5
    const run = simulate(demand, new ReactiveIdealAutoscaler(small), small, 1);
    const short = [...demand.keys()].filter((t) => demand[t] > run.ready[t] * small.capacityPerReplica).length;
    expect(short).toBe(small.metricsDelaySeconds + 1 + small.startupSeconds);
  });
});
