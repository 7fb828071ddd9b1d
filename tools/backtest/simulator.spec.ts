import fc from 'fast-check';
import { StaticAutoscaler } from './baselines';
import { DEFAULT_SIM_CONFIG, SimConfig } from './config';
import { measure } from './metrics';
import { Autoscaler, simulate } from './simulator';

const config: SimConfig = { ...DEFAULT_SIM_CONFIG, rowSeconds: 1, capacityPerReplica: 100, metricsDelaySeconds: 0, startupSeconds: 3 };

describe(simulate.name, () => {
  it('queues what one replica cannot serve and drains it when demand falls (hand-computed)', () => {
    const run = simulate(Float64Array.from([150, 150, 0, 0]), new StaticAutoscaler(1), config, 1);
    expect(Array.from(run.served)).toEqual([100, 100, 100, 0]);
    expect(Array.from(run.backlog)).toEqual([50, 100, 0, 0]);
    const m = measure(run, [150, 150, 0, 0], config);
    expect(m.under_provisioned_minutes).toBeCloseTo(2 / 60, 3);
    expect(m.backlog_peak_events).toBe(100);
    expect(m.latency_peak_seconds).toBe(1); // 100 queued events at 100 events/s
    expect(m.replica_hours).toBeCloseTo(4 / 3600, 3);
  });

  it('makes requested replicas serve only after the start-up delay', () => {
    const run = simulate(new Float64Array(6), new StaticAutoscaler(2), config, 0);
    expect(Array.from(run.ready)).toEqual([0, 0, 0, 2, 2, 2]);
    expect(Array.from(run.provisioned)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(run.scalingActions).toBe(1);
  });

  it('conserves events: served so far + backlog = demand so far, for any demand and any policy', () => {
    const erratic = (choices: number[]): Autoscaler => {
      let i = 0;
      return { periodSeconds: 1, desiredReplicas: () => choices[i++ % choices.length] };
    };
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 10 }), (demand, choices) => {
        const run = simulate(Float64Array.from(demand), erratic(choices), config, 1);
        let arrived = 0;
        let served = 0;
        demand.forEach((d, t) => {
          arrived += d;
          served += run.served[t];
          expect(served + run.backlog[t]).toBeCloseTo(arrived, 6);
          expect(run.served[t]).toBeLessThanOrEqual(run.ready[t] * config.capacityPerReplica + 1e-9);
        });
      }),
    );
  });
});
