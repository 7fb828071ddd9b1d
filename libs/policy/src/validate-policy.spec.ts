import { DEFAULT_POLICY } from '@smartscale/contracts/workflow';
import { parsePolicy } from '@smartscale/contracts';
import { policyProblems } from './validate-policy';

describe(policyProblems.name, () => {
  it('accepts the default policy and one written before the optional fields existed', () => {
    const { scaleUpTolerance, scaleDownTolerance, lagDrainMs, lagGrowthMs, lagGrowthNoiseMs, lagSettleMs, forecastUpperBand, ...legacy } = DEFAULT_POLICY;
    void [scaleUpTolerance, scaleDownTolerance, lagDrainMs, lagGrowthMs, lagGrowthNoiseMs, lagSettleMs, forecastUpperBand];
    expect(policyProblems(DEFAULT_POLICY)).toEqual([]);
    expect(policyProblems(legacy)).toEqual([]);
  });

  it('names every bad optional field', () => {
    const bad = { ...DEFAULT_POLICY, scaleUpTolerance: -0.1, scaleDownTolerance: 1.5, lagGrowthMs: Number.NaN, forecastUpperBand: 'yes' as unknown as boolean };
    expect(policyProblems(bad)).toEqual([
      'scaleUpTolerance must be a non-negative number when set',
      'lagGrowthMs must be a non-negative number when set',
      'scaleDownTolerance must be at most 1',
      'forecastUpperBand must be true or false when set',
    ]);
  });

  it('agrees with the REST schema on the same bad band', () => {
    expect(() => parsePolicy({ scaleDownTolerance: 1.5 })).toThrow(/scaleDownTolerance/);
    expect(parsePolicy({}).scaleUpTolerance).toBe(DEFAULT_POLICY.scaleUpTolerance);
  });
});
