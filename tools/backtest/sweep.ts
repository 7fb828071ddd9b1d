import type { ScalingPolicy } from '@smartscale/contracts/workflow';
import { bestByCost, CostRange, dominates, FrontierPoint, paretoFrontier, underAtCost } from './frontier';
import { measure, PolicyMetrics } from './metrics';
import { Knob, PolicyName, PreparedTrace, runPolicy, SWEPT_POLICIES, SweptPolicy } from './run';

/** The cost knob of each swept policy: target utilisations for all, or SmartScale policies of its own. */
export interface SweepSpec {
  utilisations: number[];
  /** SmartScale's points, each a full policy (e.g. headroom or service level varied); default: its capacity at each utilisation */
  smartscale: { knob: string; policy: ScalingPolicy }[];
  /** the policies swept (default: all); the others keep an empty frontier, so figures at their cost are null */
  only?: SweptPolicy[];
}

const REFERENCES = ['hpa', 'keda', 'kpa'] as const;

/**
 * SmartScale's own cost knob: the service level of the forecast quantile it plans for (0.5 is the
 * point forecast, 0.99 "short in at most 1 % of windows"). Its frontier over these is the one the
 * equal-cost figures use: capacity per replica is a poor knob for it (docs/backtest.md).
 */
export const SERVICE_LEVELS = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99] as const;

/** One point of SmartScale's sweep before it is merged over the product's policy: a label and policy fields. */
export interface SmartScaleSweepPoint {
  knob: string;
  fields: Partial<ScalingPolicy>;
}

/**
 * `--smartscale-sweep`: unset or `serviceLevel` sweeps its service level over SERVICE_LEVELS;
 * `capacity` returns null (its capacity per replica at each swept utilisation, like the other
 * policies); otherwise a JSON array of policy-field objects, each one point.
 */
export function smartScaleSweepPoints(raw: string | undefined): SmartScaleSweepPoint[] | null {
  if (raw === undefined || raw === 'serviceLevel')
    return SERVICE_LEVELS.map((level) => ({ knob: `sl=${level}`, fields: { serviceLevel: level } }));
  if (raw === 'capacity') return null;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch (error) {
    throw new Error(
      `--smartscale-sweep must be serviceLevel, capacity or a JSON array: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!Array.isArray(list) || list.length === 0)
    throw new Error('--smartscale-sweep must be a non-empty JSON array of policy-field objects');
  return list.map((item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw new Error('--smartscale-sweep: every item must be an object of policy fields');
    return { knob: JSON.stringify(item), fields: item as Partial<ScalingPolicy> };
  });
}

export interface TraceFrontier {
  points: Record<SweptPolicy, FrontierPoint[]>;
  frontier: Record<SweptPolicy, FrontierPoint[]>;
  /** at each baseline's default replica-hours, every policy's under-provisioned minutes on its frontier (null: cannot run that cheaply) */
  at_default_cost: Record<
    (typeof REFERENCES)[number],
    { replica_hours: number; under_provisioned_minutes: number; by_policy: Record<SweptPolicy, number | null> }
  >;
  /** SmartScale's under-provisioned minutes at HPA-default's replica-hours, and as a ratio to HPA-default's */
  smartscale_at_hpa_cost: { under_provisioned_minutes: number | null; ratio_to_hpa: number | null };
  best_by_cost: CostRange[];
  /** for each policy, the policies whose frontier it dominates */
  dominates: Record<SweptPolicy, SweptPolicy[]>;
}

const round = (n: number | null, digits = 3): number | null => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

function point(knob: string, m: PolicyMetrics): FrontierPoint {
  return {
    knob,
    replica_hours: m.replica_hours,
    under_provisioned_minutes: m.under_provisioned_minutes,
    scaling_actions: m.scaling_actions,
  };
}

/** Sweeps every swept policy's knob on one trace; `defaults` are the default-vs-default metrics of the same trace. */
export function sweepTrace(p: PreparedTrace, spec: SweepSpec, defaults: Record<PolicyName, PolicyMetrics>): TraceFrontier {
  const points = {} as Record<SweptPolicy, FrontierPoint[]>;
  for (const name of SWEPT_POLICIES) {
    if (spec.only && !spec.only.includes(name)) {
      points[name] = [];
      continue;
    }
    const knobs: { knob: string; value: Knob }[] =
      name === 'smartscale'
        ? spec.smartscale.map((s) => ({ knob: s.knob, value: { policy: s.policy } }))
        : spec.utilisations.map((u) => ({ knob: `u=${u}`, value: { utilisation: u } }));
    points[name] = knobs.map(({ knob, value }) => point(knob, measure(runPolicy(p, name, value), p.trace.rows, p.config)));
  }
  const frontier = {} as Record<SweptPolicy, FrontierPoint[]>;
  for (const name of SWEPT_POLICIES) frontier[name] = paretoFrontier(points[name]);
  const atDefault = {} as TraceFrontier['at_default_cost'];
  for (const ref of REFERENCES) {
    const cost = defaults[ref].replica_hours;
    const byPolicy = {} as Record<SweptPolicy, number | null>;
    for (const name of SWEPT_POLICIES) byPolicy[name] = round(underAtCost(frontier[name], cost));
    atDefault[ref] = { replica_hours: cost, under_provisioned_minutes: defaults[ref].under_provisioned_minutes, by_policy: byPolicy };
  }
  const ssAtHpa = atDefault.hpa.by_policy.smartscale;
  const hpaUnder = defaults.hpa.under_provisioned_minutes;
  const dom = {} as Record<SweptPolicy, SweptPolicy[]>;
  for (const a of SWEPT_POLICIES) dom[a] = SWEPT_POLICIES.filter((b) => b !== a && dominates(frontier[a], frontier[b]));
  return {
    points,
    frontier,
    at_default_cost: atDefault,
    smartscale_at_hpa_cost: {
      under_provisioned_minutes: ssAtHpa,
      ratio_to_hpa: ssAtHpa === null || hpaUnder === 0 ? null : round(ssAtHpa / hpaUnder),
    },
    best_by_cost: bestByCost(frontier),
    dominates: dom,
  };
}
