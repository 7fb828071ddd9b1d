import {
  DEFAULT_POLICY,
  POLICY_CROSS_FIELD_RULES,
  POLICY_FIELD_RULES,
  PolicyFieldRule,
  ScalingPolicy,
} from '@smartscale/contracts/workflow';
import { parsePolicy, ScalingPolicySchema } from '@smartscale/contracts';
import { policyProblems } from './validate-policy';

describe(policyProblems.name, () => {
  it('accepts the default policy and one without its optional fields', () => {
    const { scaleUpTolerance, scaleDownTolerance, lagDrainMs, lagGrowthMs, lagGrowthNoiseMs, lagSettleMs, forecastUpperBand, ...required } =
      DEFAULT_POLICY;
    void [scaleUpTolerance, scaleDownTolerance, lagDrainMs, lagGrowthMs, lagGrowthNoiseMs, lagSettleMs, forecastUpperBand];
    expect(policyProblems(DEFAULT_POLICY)).toEqual([]);
    expect(policyProblems(required)).toEqual([]);
  });

  it('names every bad optional field', () => {
    const bad = {
      ...DEFAULT_POLICY,
      scaleUpTolerance: -0.1,
      scaleDownTolerance: 1.5,
      lagGrowthMs: Number.NaN,
      forecastUpperBand: 'yes' as unknown as boolean,
    };
    expect(policyProblems(bad)).toEqual([
      'scaleUpTolerance must be at least 0',
      'scaleDownTolerance must be at most 1',
      'lagGrowthMs must be a finite number',
      'forecastUpperBand must be true or false',
    ]);
  });

  it('takes a whole number of windows as the history a predictive scale-in needs, 30 by default', () => {
    expect(parsePolicy({}).predictiveScaleInMinHistoryWindows).toBe(30);
    expect(parsePolicy({ predictiveScaleInMinHistoryWindows: 0 }).predictiveScaleInMinHistoryWindows).toBe(0);
    for (const bad of [-1, 2.5, '30'])
      expect(policyProblems({ ...DEFAULT_POLICY, predictiveScaleInMinHistoryWindows: bad as number })).toEqual([
        expect.stringMatching(/^predictiveScaleInMinHistoryWindows must be/),
      ]);
    expect(() => parsePolicy({ predictiveScaleInMinHistoryWindows: -1 })).toThrow(/predictiveScaleInMinHistoryWindows/);
  });

  it('agrees with the REST schema on the same bad band', () => {
    expect(() => parsePolicy({ scaleDownTolerance: 1.5 })).toThrow(/scaleDownTolerance/);
    expect(parsePolicy({}).scaleUpTolerance).toBe(DEFAULT_POLICY.scaleUpTolerance);
  });
});

/** Values on and just past each rule's edges, plus the types a hostile sender would try. */
function edgeValues(rule: PolicyFieldRule): unknown[] {
  const common = [undefined, null, 'x', Number.NaN, Number.POSITIVE_INFINITY, true];
  if (rule.type === 'boolean') return [...common, false, 0];
  if (rule.type === 'enum') return [...common, ...rule.values, `${rule.values[0]}!`];
  const edges = [rule.min, rule.min - 1, rule.min - 0.5, rule.min + 0.5, rule.min - 1e-9, 0, -1, 1, 1e9];
  if (rule.max !== undefined) edges.push(rule.max, rule.max + 1, rule.max + 0.5, rule.max - 0.5, rule.max + 1e-9);
  return [...common, ...edges];
}

describe('policyProblems and the REST schema', () => {
  it('agree on every field at and past its edges (one table yields both)', () => {
    const disagreements: string[] = [];
    for (const [field, rule] of Object.entries(POLICY_FIELD_RULES)) {
      for (const value of edgeValues(rule)) {
        // minReplicas and maxReplicas are probed where the cross-field rule cannot interfere.
        const base: ScalingPolicy = {
          ...DEFAULT_POLICY,
          minReplicas: field === 'maxReplicas' ? 0 : DEFAULT_POLICY.minReplicas,
          maxReplicas: field === 'minReplicas' ? 1000 : DEFAULT_POLICY.maxReplicas,
        };
        const policy = { ...base, [field]: value } as ScalingPolicy;
        const zodOk = ScalingPolicySchema.safeParse(policy).success;
        const workflowOk = policyProblems(policy).length === 0;
        if (zodOk !== workflowOk)
          disagreements.push(
            `${field}=${String(value)}: zod ${zodOk ? 'accepts' : 'refuses'}, workflow ${workflowOk ? 'accepts' : 'refuses'}`,
          );
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('report each cross-field rule of the table in the same words, zod on its field', () => {
    const broken: Record<string, Partial<ScalingPolicy>> = { minReplicas: { minReplicas: 5, maxReplicas: 2 } };
    expect(POLICY_CROSS_FIELD_RULES.map((r) => r.field)).toEqual(Object.keys(broken));
    for (const rule of POLICY_CROSS_FIELD_RULES) {
      const policy = { ...DEFAULT_POLICY, ...broken[rule.field] };
      expect(policyProblems(policy)).toEqual([rule.message]);
      const zod = ScalingPolicySchema.safeParse(policy);
      expect(zod.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([[rule.field, rule.message]]);
    }
  });

  it('refuses the caps the workflow used to miss: maxReplicas, tolerance and horizon', () => {
    for (const bad of [
      { maxReplicas: 1001 },
      { tolerance: 1.5 },
      { forecastHorizonWindows: 101 },
      { activationLag: 0 },
      { minReplicas: 1.5 },
    ]) {
      expect(policyProblems({ ...DEFAULT_POLICY, ...bad })).toEqual([expect.stringContaining(Object.keys(bad)[0])]);
    }
  });
});
