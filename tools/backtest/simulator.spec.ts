import fc from 'fast-check';
import { StaticAutoscaler } from './baselines';
import { DEFAULT_SIM_CONFIG, SimConfig } from './config';
import { measure } from './metrics';
import { Autoscaler, DataAge, MetricsView, simulate } from './simulator';

const config: SimConfig = { ...DEFAULT_SIM_CONFIG, rowSeconds: 1, capacityPerReplica: 100, startupSeconds: 3, rebalanceSeconds: 0 };

/** Asks for a fixed sequence of counts and records what it was allowed to read. */
function scripted(
  choices: number[],
  dataAge: DataAge = { metricsSeconds: 0, lagSeconds: 0 },
): Autoscaler & {
  seen: { now: number; visibleUntil: number; lagVisibleUntil: number; newest: number; beyond: number; backlog: number }[];
} {
  let i = 0;
  const seen: { now: number; visibleUntil: number; lagVisibleUntil: number; newest: number; beyond: number; backlog: number }[] = [];
  return {
    periodSeconds: 1,
    dataAge,
    seen,
    desiredReplicas: (m: MetricsView) => {
      seen.push({
        now: m.now,
        visibleUntil: m.visibleUntil,
        lagVisibleUntil: m.lagVisibleUntil,
        newest: m.arrivalRate(m.visibleUntil - 1, m.now + 100),
        beyond: m.arrivalRate(m.visibleUntil, m.now + 100),
        backlog: m.backlogAt(m.now + 100),
      });
      return choices[Math.min(i++, choices.length - 1)];
    },
  };
}

describe(simulate.name, () => {
  it('queues what one replica cannot serve and drains it when demand falls (hand-computed)', () => {
    const run = simulate(Float64Array.from([150, 150, 0, 0]), new StaticAutoscaler(1), config, 1);
    expect(Array.from(run.served)).toEqual([100, 100, 100, 0]);
    expect(Array.from(run.backlog)).toEqual([50, 100, 0, 0]);
    const m = measure(run, [150, 150, 0, 0], config);
    expect(m.under_provisioned_minutes).toBeCloseTo(2 / 60, 3);
    // one episode of two short seconds, no rebalance
    expect([m.short_episodes, m.short_episode_median_seconds, m.rebalance_paused_minutes]).toEqual([1, 2, 0]);
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

  it('shows each policy only data as old as its data age: rates and lag separately', () => {
    const demand = Float64Array.from({ length: 40 }, (_, t) => t); // arrivals/s = the second's index
    const probe = scripted([1], { metricsSeconds: 15, lagSeconds: 1 });
    simulate(demand, probe, config, 1);
    const at30 = probe.seen.find((s) => s.now === 30);
    // asking past the visible range gets only the visible part: second 14 is the newest at 30
    expect(at30).toMatchObject({ visibleUntil: 15, lagVisibleUntil: 29, newest: 14, beyond: 0 });
    const fresh = scripted([1], { metricsSeconds: 1, lagSeconds: 1 });
    simulate(demand, fresh, config, 1);
    expect(fresh.seen.find((s) => s.now === 30)).toMatchObject({ visibleUntil: 29, newest: 28, beyond: 0 });
  });

  it('reads the lag no fresher than the lag age allows', () => {
    const demand = new Float64Array(20).fill(150); // 1 replica: the backlog grows 50 a second
    const live = scripted([1], { metricsSeconds: 0, lagSeconds: 0 });
    const late = scripted([1], { metricsSeconds: 0, lagSeconds: 5 });
    simulate(demand, live, config, 1);
    simulate(demand, late, config, 1);
    expect(live.seen.find((s) => s.now === 10)?.backlog).toBe(500); // end of second 9
    expect(late.seen.find((s) => s.now === 10)?.backlog).toBe(250); // end of second 4
  });

  it('stops the whole consumer group for rebalanceSeconds on each member change, and counts it as under-provisioned', () => {
    const paused: SimConfig = { ...config, rebalanceSeconds: 4, startupSeconds: 3 };
    const demand = new Float64Array(20).fill(50);
    // scale 1 → 2 at t = 0: the new member joins at t = 3, nobody serves during [3, 7)
    const run = simulate(demand, scripted([2]), paused, 1);
    expect(Array.from(run.serving.subarray(0, 9))).toEqual([100, 100, 100, 0, 0, 0, 0, 200, 200]);
    expect(run.rebalances).toBe(1);
    expect(run.backlog[6]).toBe(200); // four seconds of 50/s queued
    expect(measure(run, [], paused).under_provisioned_minutes).toBe(0.067); // 4 s, rounded to 3 digits
    // all of it is the rebalance: no episode of short capacity
    expect(measure(run, [], paused)).toMatchObject({
      rebalance_paused_minutes: 0.067,
      short_episodes: 0,
      short_episode_median_seconds: null,
    });
    // the same scale-up without the rebalance cost is never short
    const free = simulate(demand, scripted([2]), { ...paused, rebalanceSeconds: 0 }, 1);
    expect(measure(free, [], paused).under_provisioned_minutes).toBe(0);
  });

  it('rebalances when ready members leave but not when a starting replica is cancelled', () => {
    const paused: SimConfig = { ...config, rebalanceSeconds: 2, startupSeconds: 3 };
    // 2 → 3 (starting) → 2 before it is ready: no member change
    expect(simulate(new Float64Array(10), scripted([3, 2]), paused, 2).rebalances).toBe(0);
    // 3 → 2 ready: one member leaves
    expect(simulate(new Float64Array(10), scripted([2]), paused, 3).rebalances).toBe(1);
  });

  it('conserves events: served so far + backlog = demand so far, for any demand, any policy and rebalances', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 5 }),
        (demand, choices, rebalance) => {
          let i = 0;
          const erratic: Autoscaler = {
            periodSeconds: 1,
            dataAge: { metricsSeconds: 0, lagSeconds: 0 },
            desiredReplicas: () => choices[i++ % choices.length],
          };
          const run = simulate(Float64Array.from(demand), erratic, { ...config, rebalanceSeconds: rebalance }, 1);
          let arrived = 0;
          let served = 0;
          demand.forEach((d, t) => {
            arrived += d;
            served += run.served[t];
            expect(served + run.backlog[t]).toBeCloseTo(arrived, 6);
            expect(run.served[t]).toBeLessThanOrEqual(run.serving[t] + 1e-9);
            expect(run.serving[t]).toBeLessThanOrEqual(run.ready[t] * config.capacityPerReplica + 1e-9);
          });
        },
      ),
    );
  });

  it('measures concurrency as in-flight (served × request time) plus queued events', () => {
    const cfg: SimConfig = { ...config, requestSeconds: 2 };
    let seen = 0;
    const probe: Autoscaler = {
      periodSeconds: 1,
      dataAge: { metricsSeconds: 0, lagSeconds: 0 },
      desiredReplicas: (m) => {
        if (m.now === 3) seen = m.concurrency(2, 3);
        return 1;
      },
    };
    // second 2: 100 served of 150 arrived, 50 + 50 queued from before → 100 × 2 s + 100 queued
    simulate(Float64Array.from([150, 100, 150, 0]), probe, cfg, 1);
    expect(seen).toBe(300);
  });
});
