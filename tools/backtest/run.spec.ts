import fc from 'fast-check';
import { DEFAULT_SIM_CONFIG, SimConfig } from './config';
import { ForecastTrack, predictorFor, productSettings, SmartScaleAutoscaler, smartScalePolicyFor } from './smartscale';
import { POLICY_NAMES, prepareTrace, runPrepared, runTrace } from './run';
import { expandRows, scaleToCapacity } from './trace';
import { simulate } from './simulator';
import { ReactiveIdealAutoscaler } from './baselines';
import { sweepTrace } from './sweep';

const config: SimConfig = { ...DEFAULT_SIM_CONFIG, peakReplicas: 8, rowSeconds: 60 };
const settings = productSettings();

describe(runTrace.name, () => {
  it('never lets any policy beat the oracle on under-provisioning, and the oracle is never short', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 3, maxLength: 30 }), (raw) => {
        const rows = scaleToCapacity(raw, config);
        const { metrics } = runTrace({ name: 't.csv', rows, periods: [] }, config);
        expect(metrics.oracle.under_provisioned_minutes).toBe(0);
        for (const name of POLICY_NAMES) {
          expect(metrics.oracle.under_provisioned_minutes).toBeLessThanOrEqual(metrics[name].under_provisioned_minutes);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('reports every policy with its ratios to HPA (the rate-metric HPA)', () => {
    const { metrics } = runTrace(
      { name: 'step.csv', rows: scaleToCapacity([1, 1, 1, 1, 10, 10, 10, 10, 1, 1], config), periods: [] },
      config,
    );
    expect(Object.keys(metrics)).toEqual([...POLICY_NAMES]);
    expect(metrics.hpa.vs_hpa?.replica_hours).toBe(1);
    expect(metrics.hpa_cpu.vs_hpa?.replica_hours).toBe(
      Math.round((metrics.hpa_cpu.replica_hours / metrics.hpa.replica_hours) * 1000) / 1000,
    );
    expect(metrics.hpa.steps).toBe(1);
  });
});

describe(ForecastTrack.name, () => {
  it("is the predictor's answer after each window, from that window and the ones before only", () => {
    const past = Float64Array.from({ length: 600 }, (_, t) => 100 + (t % 120));
    const a = new Float64Array(1200);
    const b = new Float64Array(1200).fill(5000);
    a.set(past);
    b.set(past);
    const ta = new ForecastTrack(a, 10, settings.predictor, 3);
    const tb = new ForecastTrack(b, 10, settings.predictor, 3);
    for (let k = 0; k < 60; k++) expect(tb.at(k)).toEqual(ta.at(k));
    expect(tb.at(70)?.peakEventsPerSecond).not.toEqual(ta.at(70)?.peakEventsPerSecond);
    expect(ta.at(0)?.basedOnWindowEnd).toBe(10_000);
    expect(ta.at(-1)).toBeNull();
  });

  it('learns the trace periods as configured hints only when asked to', () => {
    expect(predictorFor(settings, [48], config).periods).toEqual(settings.predictor.periods);
    expect(predictorFor({ ...settings, periodsFrom: 'trace' }, [48], config).periods).toEqual([(48 * 60) / settings.windowSeconds]);
  });
});

describe(SmartScaleAutoscaler.name, () => {
  const autoscaler = (demand: Float64Array, policy = smartScalePolicyFor(config)) =>
    new SmartScaleAutoscaler(
      policy,
      config,
      new ForecastTrack(demand, settings.windowSeconds, settings.predictor, policy.forecastHorizonWindows),
      settings,
    );

  it('has no look-ahead: a different future does not change what it did before it', () => {
    const past = [5, 5, 8, 12, 20, 20, 9, 5];
    const a = expandRows(scaleToCapacity([...past, 1, 1, 1, 1], config), config.rowSeconds);
    const b = expandRows(scaleToCapacity([...past, 40, 40, 40, 40], config), config.rowSeconds);
    // same scale on both: the futures differ, the pasts are equal in events/s
    b.set(a.subarray(0, past.length * config.rowSeconds));
    const run = (demand: Float64Array) => simulate(demand, autoscaler(demand), config, 2);
    const until = past.length * config.rowSeconds;
    expect(Array.from(run(a).provisioned.subarray(0, until))).toEqual(Array.from(run(b).provisioned.subarray(0, until)));
  });

  it("ticks at the product's cadence and sees a window only once window + grace has passed", () => {
    const demand = new Float64Array(600).fill(50);
    demand.fill(1000, 100); // a step at 100 s: the window [100, 110) is emitted at 112
    const s = autoscaler(demand);
    expect(s.periodSeconds).toBe(DEFAULT_SIM_CONFIG.rowSeconds / 6); // 10 s ticks
    const run = simulate(demand, s, config, 1);
    const firstUp = [...run.provisioned.keys()].find((t) => run.provisioned[t] > 1) ?? -1;
    // ticks at 7, 17, ...; the lag probe (1 s old) may see the step at the tick of 107 first
    expect(firstUp).toBeGreaterThanOrEqual(107);
    expect((firstUp - settings.tickPhaseSeconds) % 10).toBe(0);
    // without the lag, the first tick that can see the step is 117 (window [100, 110) at 112)
    const rateOnly = simulate(demand, autoscaler(demand, smartScalePolicyFor(config, { lagGrowthMs: 0, lagDrainMs: 0 })), config, 1);
    expect([...rateOnly.provisioned.keys()].find((t) => rateOnly.provisioned[t] > 1)).toBe(117);
  });

  it('after applying, waits as the workflow does: the shorter cooldown, then its next tick', () => {
    const policy = smartScalePolicyFor(config);
    const demand = expandRows(scaleToCapacity([1, 1, 20, 20, 20, 20, 20, 20], config), config.rowSeconds);
    const { provisioned } = simulate(demand, autoscaler(demand, policy), config, 1);
    const changes = [...provisioned.keys()].filter((t) => t > 0 && provisioned[t] !== provisioned[t - 1]);
    expect(changes.length).toBeGreaterThan(1);
    const pause = (Math.min(policy.scaleUpCooldownMs, policy.scaleDownCooldownMs) + policy.tickIntervalMs) / 1000;
    changes.slice(1).forEach((t, i) => expect(t - changes[i]).toBeGreaterThanOrEqual(pause));
  });
});

describe(ReactiveIdealAutoscaler.name, () => {
  const small: SimConfig = {
    ...config,
    capacityPerReplica: 100,
    targetUtilisation: 0.7,
    hpaMetricsAgeSeconds: 15,
    startupSeconds: 30,
    rebalanceSeconds: 0,
  };

  it('asks for the need of the newest visible second at once, and holds the highest need of the hold window', () => {
    const demand = new Float64Array(200).fill(50);
    demand.fill(300, 60, 70); // a 10 s burst needing ceil(300 / 70) = 5 replicas
    const { provisioned } = simulate(demand, new ReactiveIdealAutoscaler(small, 60), small, 1);
    expect(provisioned[75]).toBe(1); // second 60 becomes visible at 76 (metrics up to now − 15)
    expect(provisioned[76]).toBe(5);
    expect(provisioned[144]).toBe(5); // second 69, visible at 85, is held for 60 s of visible time
    expect(provisioned[145]).toBe(1);
  });

  it('is under-provisioned at least as long as a step takes to see and start, and never more on a rising step', () => {
    const demand = new Float64Array(300).fill(50);
    demand.fill(300, 100); // from 1 replica's worth to 5
    const run = simulate(demand, new ReactiveIdealAutoscaler(small), small, 1);
    const short = [...demand.keys()].filter((t) => demand[t] > run.ready[t] * small.capacityPerReplica).length;
    expect(short).toBe(small.hpaMetricsAgeSeconds + 1 + small.startupSeconds);
  });
});

describe(sweepTrace.name, () => {
  it("puts each policy's default on its own sweep and reads its own default cost back off its frontier", () => {
    const rows = scaleToCapacity([2, 2, 3, 8, 10, 10, 6, 3, 2, 2, 9, 10, 4, 2, 2, 2], config);
    const prepared = prepareTrace({ name: 't.csv', rows, periods: [] }, config, settings);
    const defaults = runPrepared(prepared).metrics;
    const spec = {
      utilisations: [0.5, 0.7, 0.9],
      smartscale: [0.5, 0.7, 0.9].map((u) => ({ knob: `u=${u}`, policy: smartScalePolicyFor(config, {}, u) })),
    };
    const f = sweepTrace(prepared, spec, defaults);
    for (const name of ['hpa', 'keda', 'kpa', 'smartscale'] as const) {
      expect(f.points[name].find((pt) => pt.knob === 'u=0.7')).toMatchObject({
        replica_hours: defaults[name].replica_hours,
        under_provisioned_minutes: defaults[name].under_provisioned_minutes,
      });
    }
    // HPA's frontier passes through or below its own default
    expect(f.at_default_cost.hpa.by_policy.hpa).not.toBeNull();
    expect(f.at_default_cost.hpa.by_policy.hpa ?? Infinity).toBeLessThanOrEqual(defaults.hpa.under_provisioned_minutes);
    // a higher target costs HPA fewer replica-hours (not a law for every policy: a saturated KPA counts the queue)
    expect(f.points.hpa[2].replica_hours).toBeLessThan(f.points.hpa[0].replica_hours);
    // sweeping only some policies leaves the others without a frontier, so nothing is read off theirs
    const onlyHpa = sweepTrace(prepared, { ...spec, only: ['hpa'] }, defaults);
    expect(onlyHpa.points.smartscale).toEqual([]);
    expect(onlyHpa.at_default_cost.hpa.by_policy.smartscale).toBeNull();
    expect(onlyHpa.points.hpa).toEqual(f.points.hpa);
  });
});
