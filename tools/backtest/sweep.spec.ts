import { DEFAULT_POLICY } from '@smartscale/contracts/workflow';
import { DEFAULT_SIM_CONFIG, SimConfig } from './config';
import { prepareTrace, runPrepared } from './run';
import { productSettings, smartScalePolicyFor } from './smartscale';
import { SERVICE_LEVELS, smartScaleSweepPoints, sweepTrace } from './sweep';
import { scaleToCapacity } from './trace';

describe(smartScaleSweepPoints.name, () => {
  it("sweeps SmartScale's own cost knob, the service level 0.5…0.99, by default and as `serviceLevel`", () => {
    for (const raw of [undefined, 'serviceLevel']) {
      const points = smartScaleSweepPoints(raw);
      expect(points?.map((p) => p.fields)).toEqual(SERVICE_LEVELS.map((serviceLevel) => ({ serviceLevel })));
      expect(points?.map((p) => p.knob)).toEqual(['sl=0.5', 'sl=0.6', 'sl=0.7', 'sl=0.8', 'sl=0.9', 'sl=0.95', 'sl=0.99']);
    }
    // the shipped default is one of the points, so the default lies on its own sweep
    expect(SERVICE_LEVELS).toContain(DEFAULT_POLICY.serviceLevel);
  });

  it('keeps capacity per replica on request and takes any JSON array of policy fields', () => {
    expect(smartScaleSweepPoints('capacity')).toBeNull();
    expect(smartScaleSweepPoints('[{"headroom":0.1},{"serviceLevel":0.95,"scaleDownStabilizationMs":120000}]')).toEqual([
      { knob: '{"headroom":0.1}', fields: { headroom: 0.1 } },
      { knob: '{"serviceLevel":0.95,"scaleDownStabilizationMs":120000}', fields: { serviceLevel: 0.95, scaleDownStabilizationMs: 120000 } },
    ]);
  });

  it('refuses what is neither a knob name nor a non-empty array of objects, saying what it takes', () => {
    expect(() => smartScaleSweepPoints('headroom')).toThrow(/serviceLevel, capacity or a JSON array/);
    expect(() => smartScaleSweepPoints('[]')).toThrow(/non-empty JSON array/);
    expect(() => smartScaleSweepPoints('[0.9]')).toThrow(/object of policy fields/);
  });
});

describe('the service-level frontier', () => {
  it("puts SmartScale's default on its own service-level sweep, and a higher service level never costs fewer replica-hours here", () => {
    const config: SimConfig = { ...DEFAULT_SIM_CONFIG, peakReplicas: 8, rowSeconds: 60 };
    const raw = Array.from({ length: 40 }, (_, i) => 5 + 4 * Math.sin((2 * Math.PI * i) / 8) + (i % 5 === 0 ? 3 : 0));
    const prepared = prepareTrace({ name: 'wave.csv', rows: scaleToCapacity(raw, config), periods: [] }, config, productSettings());
    const defaults = runPrepared(prepared).metrics;
    const points = smartScaleSweepPoints(undefined) ?? [];
    const spec = {
      utilisations: [0.7],
      smartscale: points.map((p) => ({ knob: p.knob, policy: smartScalePolicyFor(config, p.fields) })),
      only: ['smartscale' as const],
    };
    const f = sweepTrace(prepared, spec, defaults);
    expect(f.points.smartscale.map((p) => p.knob)).toEqual(points.map((p) => p.knob));
    expect(f.points.smartscale.find((p) => p.knob === `sl=${DEFAULT_POLICY.serviceLevel}`)).toMatchObject({
      replica_hours: defaults.smartscale.replica_hours,
      under_provisioned_minutes: defaults.smartscale.under_provisioned_minutes,
    });
    const cheapest = f.points.smartscale[0].replica_hours;
    const dearest = f.points.smartscale[f.points.smartscale.length - 1].replica_hours;
    expect(cheapest).toBeLessThanOrEqual(dearest);
  });
});
