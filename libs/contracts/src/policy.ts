/**
 * Scaling targets, policies and decisions: pure types and defaults, free of zod and Node so that
 * workflow code can import them (CONVENTIONS §9). The zod schema lives in policy.schema.ts.
 */
export type PolicyMode = 'enforce' | 'recommend';
export type AnomalyAction = 'hold' | 'follow' | 'scaleUpOnly';

export interface ScalingPolicy {
  mode: PolicyMode;
  minReplicas: number;
  maxReplicas: number;
  /** Events/s one replica serves at its target utilisation: the capacity signal per replica. */
  capacityPerReplica: number;
  /** Relative band around the current capacity inside which nothing changes (HPA uses 0.1). */
  tolerance: number;
  /**
   * Band above the current capacity (planned ÷ current) inside which nothing scales up; replaces
   * `tolerance` on the way up. Unset: `tolerance`.
   */
  scaleUpTolerance?: number;
  /** Band below the current capacity inside which nothing scales down; unset: `tolerance`. */
  scaleDownTolerance?: number;
  /**
   * Plan extra capacity to drain the backlog (the window's consumer lag) within this time, on top
   * of the demand: work that the rate alone does not show. Unset or 0: backlog ignored.
   */
  lagDrainMs?: number;
  /**
   * Lag that grew after the observed window closed (the scaler's fresher reading minus the window's)
   * is arriving load the window does not show yet; it is planned as growth ÷ this time. Sees a
   * spike one window earlier than the rate does. Unset or 0: ignored. It needs the consumers'
   * position lag: the aggregator records its position in each commit's checkpoint, because its
   * committed offset stays at its oldest open window (tools/backtest/README.md, "Lag growth").
   */
  lagGrowthMs?: number;
  /**
   * Growth smaller than this many milliseconds of the window's rate is read as fetch and commit
   * jitter (a consumer's position lag wanders by what arrives between two fetches), not as news.
   * Unset: any growth counts.
   */
  lagGrowthNoiseMs?: number;
  /**
   * After a scale-up the lag keeps growing until the new replicas serve (start-up plus the metrics
   * delay): growth read within this time is not news and is ignored. Unset: 0.
   */
  lagSettleMs?: number;
  /**
   * With `forecastUpperBand`, the upper bound of the prediction interval is planned at this many
   * times `capacityPerReplica`: capacity per replica is the load at the target utilisation (HPA's
   * 70 %), whose margin is there for load the controller has not seen yet; the upper bound already
   * is that margin, so it may fill replicas up to full capacity (1.4 × a 70 % target) instead of
   * adding one margin to the other. Unset: 1.
   */
  upperBandLoadFactor?: number;
  /** p95 latency (ms) one replica count should hold: above it (beyond the up tolerance), HPA's ratio rule adds replicas. Unset: latency ignored. */
  latencyP95TargetMs?: number;
  /** Error rate (0..1) above which nothing scales down. Unset: errors ignored. */
  maxErrorRate?: number;
  /**
   * Plan for the upper bound of the forecast's prediction interval instead of its point, when the
   * predictor sends one: the headroom then grows and shrinks with the forecaster's recent error.
   * Unset: the point forecast.
   */
  forecastUpperBand?: boolean;
  /**
   * Plan for this quantile of the forecast peak over the horizon (docs/forecasting.md): 0.99 is
   * "under-provisioned in at most 1 % of windows" as far as the calibrated forecast knows, so a
   * confident forecast costs fewer replicas and an uncertain one buys more. 0.9 is the upper bound
   * of the predictor's 80 % interval (what `forecastUpperBand` plans for); 0.5 the point. Replaces
   * `forecastUpperBand` when set.
   */
  serviceLevel?: number;
  /**
   * Scale in ahead of a forecast drop: when the `serviceLevel` quantile of the forecast over the
   * horizon fits in fewer replicas, remove them without waiting out the stabilisation window on
   * observed load (step limits, the down band and cooldowns still hold). Unset: false.
   */
  predictiveScaleIn?: boolean;
  /**
   * Predictive scale-in only on a forecast learned from at least this many windows of the service
   * (the predictor's `historyWindows`; a forecast that does not say is not trusted). A model that has
   * seen a handful of windows has no level, no cycle and an interval calibrated on almost no
   * residuals: its quantile is no bound to remove capacity on, while scaling in late only costs a few
   * minutes of spare replicas. 30 (5 min of 10 s windows) is the scale-down stabilisation window the
   * predictive scale-in skips: the forecast must have seen at least what that window would have.
   * The reactive scale-in is unaffected. Unset or 0: any forecast.
   */
  predictiveScaleInMinHistoryWindows?: number;
  /** Extra capacity planned above the demand, e.g. 0.2 plans for 120 %. */
  headroom: number;
  /** How many windows ahead the forecast is read; the peak of that horizon is planned for. */
  forecastHorizonWindows: number;
  /** Most replicas added by one decision. */
  scaleUpMaxStep: number;
  /** Most replicas removed by one decision. */
  scaleDownMaxStep: number;
  scaleUpCooldownMs: number;
  scaleDownCooldownMs: number;
  /** Scale down only to the highest recommendation seen over this window (HPA's stabilisation). */
  scaleDownStabilizationMs: number;
  /**
   * The stabilisation window while a fresh forecast is used: the forecast (its upper bound over the
   * horizon) already plans for the load ahead, so the window that guards against a dip that will
   * not last can be shorter. Unset: `scaleDownStabilizationMs` always.
   */
  forecastStabilizationMs?: number;
  tickIntervalMs: number;
  /** A forecast based on a window older than this is ignored and the rule falls back to reactive. */
  forecastStaleMs: number;
  /** With no window newer than this, the controller holds: it never scales on missing data. */
  observationStaleMs: number;
  onAnomaly: AnomalyAction;
  anomalyThreshold: number;
  /**
   * With minReplicas 0: events waiting in the target's consumer group that wake a target at zero
   * (KEDA's activation threshold). At zero no window is emitted, so lag is the only signal left.
   */
  activationLag: number;
}

/**
 * Eager up, reluctant down (tools/backtest/README.md, "Control law"): plan the upper bound of the
 * forecast (headroom that follows the forecaster's error) plus what the lag says, scale up in one
 * step once that exceeds capacity by 30 % (capacity is at the target utilisation, so that is still
 * short of saturation) or as soon as the lag grows, and scale down only to the highest
 * recommendation of the last 5 minutes, by at least 20 %, at most every 5 minutes. The step limits
 * are high on purpose: one step to the needed count instead of many small ones. A forecast whose
 * 0.6 quantile over the horizon fits in fewer replicas scales in at once (predictive scale-in), once
 * the forecast was learned from 30 windows (5 min).
 * Service level 0.6 and the 20 % down band were chosen by leave-one-trace-out cross-validation on
 * the backtest's tuning traces (docs/backtest.md, "Choosing the default").
 */
export const DEFAULT_POLICY: ScalingPolicy = {
  mode: 'enforce',
  minReplicas: 1,
  maxReplicas: 5,
  capacityPerReplica: 50,
  tolerance: 0.1,
  scaleUpTolerance: 0.3,
  scaleDownTolerance: 0.2,
  lagDrainMs: 60_000,
  lagGrowthMs: 5_000,
  lagGrowthNoiseMs: 1_000,
  lagSettleMs: 60_000,
  forecastUpperBand: true,
  serviceLevel: 0.6,
  predictiveScaleIn: true,
  predictiveScaleInMinHistoryWindows: 30,
  headroom: 0,
  forecastHorizonWindows: 3,
  scaleUpMaxStep: 1000,
  scaleDownMaxStep: 1000,
  scaleUpCooldownMs: 20_000,
  scaleDownCooldownMs: 300_000,
  scaleDownStabilizationMs: 300_000,
  tickIntervalMs: 10_000,
  forecastStaleMs: 60_000,
  observationStaleMs: 60_000,
  onAnomaly: 'scaleUpOnly',
  anomalyThreshold: 0.9,
  activationLag: 1,
};

export type KubernetesWorkload = { kind: 'kubernetes'; namespace: string; resource: 'deployment' | 'statefulset'; name: string };

export type ScalerSpec =
  | { kind: 'local' }
  | { kind: 'webhook'; url: string }
  /** The scale subresource of a Deployment or StatefulSet (ARCHITECTURE.md, "Scalers"). */
  | KubernetesWorkload
  /**
   * Reads the replica count another autoscaler (HPA, KEDA) sets on the workload and never changes it:
   * with `mode: recommend`, the history shows what SmartScale would have had next to what the cluster had.
   */
  | { kind: 'shadow'; source: KubernetesWorkload }
  /**
   * KEDA scales the workload (a ScaledObject with an `external` or `external-push` trigger pointed at the
   * worker's gRPC port, docs/kubernetes.md); SmartScale decides and records, and serves each decision as
   * KEDA's metric. The worker never touches the workload. Enforce mode only: it is KEDA that enforces.
   */
  | { kind: 'keda' };

/** Why a policy cannot run with this scaler, or null: a shadow scaler only ever recommends. */
export function scalerPolicyProblem(scaler: ScalerSpec, policy: Pick<ScalingPolicy, 'mode'>): string | null {
  if (scaler.kind === 'keda' && policy.mode === 'recommend')
    return 'mode: a "keda" target hands each decision to KEDA, so the policy must be mode "enforce" (use a "shadow" scaler to only recommend)';
  return scaler.kind === 'shadow' && policy.mode !== 'recommend'
    ? 'mode: a "shadow" scaler never changes replicas, so the policy must be mode "recommend" (switch the scaler to "kubernetes" to enforce)'
    : null;
}

export interface ScalingTarget {
  /** Names the workflow (`scaler/<id>`) and the scaler's resources. */
  id: string;
  /** The service whose telemetry drives this target. */
  service: string;
  scaler: ScalerSpec;
  policy: ScalingPolicy;
}

export type ScalingAction = 'up' | 'down' | 'hold';

/** A machine-readable code and a sentence a person reads in the Web UI. */
export interface Reason {
  code: string;
  message: string;
}

export interface DecisionInputs {
  observedEventsPerSecond: number | null;
  observedWindowEnd: number | null;
  forecastPeakEventsPerSecond: number | null;
  forecastUsed: boolean;
  anomalyScore: number | null;
  consumerLag: number | null;
  /** The window's p95 latency (ms) and error rate, when observed. */
  observedLatencyP95Ms?: number | null;
  observedErrorRate?: number | null;
}

export interface Decision {
  seq: number;
  at: number;
  action: ScalingAction;
  from: number;
  to: number;
  reasons: Reason[];
  inputs: DecisionInputs;
  /** False while paused, in recommend mode, or when the action is hold. */
  applied: boolean;
}

/** The most replicas any policy may ask for, whatever the scaler. */
export const MAX_POLICY_REPLICAS = 1000;

/** One field's rule. Numbers: `min` inclusive unless `minExclusive`; `max` inclusive. */
export type PolicyFieldRule =
  | { type: 'int' | 'number'; min: number; minExclusive?: true; max?: number; optional?: true }
  | { type: 'enum'; values: readonly [string, ...string[]]; optional?: true }
  | { type: 'boolean'; optional?: true };

/**
 * Every policy field's rule, in one place (CONVENTIONS §17): the zod schema the REST API, the
 * targets file and the worker's target check parse with (policy.schema.ts) and the hand-written check
 * inside the workflow's update validator (libs/policy validate-policy.ts), which must not import zod,
 * are both built from this table, so a cap cannot be in one and missing from the other. A new
 * policy field does not type-check until it has a rule here.
 */
export const POLICY_FIELD_RULES: { readonly [K in keyof ScalingPolicy]-?: PolicyFieldRule } = {
  mode: { type: 'enum', values: ['enforce', 'recommend'] },
  minReplicas: { type: 'int', min: 0, max: MAX_POLICY_REPLICAS },
  maxReplicas: { type: 'int', min: 1, max: MAX_POLICY_REPLICAS },
  capacityPerReplica: { type: 'number', min: 0, minExclusive: true },
  tolerance: { type: 'number', min: 0, max: 1 },
  scaleUpTolerance: { type: 'number', min: 0, max: 1, optional: true },
  scaleDownTolerance: { type: 'number', min: 0, max: 1, optional: true },
  lagDrainMs: { type: 'int', min: 0, optional: true },
  lagGrowthMs: { type: 'int', min: 0, optional: true },
  lagGrowthNoiseMs: { type: 'int', min: 0, optional: true },
  lagSettleMs: { type: 'int', min: 0, optional: true },
  latencyP95TargetMs: { type: 'number', min: 0, minExclusive: true, optional: true },
  maxErrorRate: { type: 'number', min: 0, max: 1, optional: true },
  forecastUpperBand: { type: 'boolean', optional: true },
  upperBandLoadFactor: { type: 'number', min: 1, max: 10, optional: true },
  serviceLevel: { type: 'number', min: 0.5, max: 0.9999, optional: true },
  predictiveScaleIn: { type: 'boolean', optional: true },
  predictiveScaleInMinHistoryWindows: { type: 'int', min: 0, optional: true },
  headroom: { type: 'number', min: 0, max: 10 },
  forecastHorizonWindows: { type: 'int', min: 0, max: 100 },
  scaleUpMaxStep: { type: 'int', min: 1 },
  scaleDownMaxStep: { type: 'int', min: 1 },
  scaleUpCooldownMs: { type: 'int', min: 0 },
  scaleDownCooldownMs: { type: 'int', min: 0 },
  scaleDownStabilizationMs: { type: 'int', min: 0 },
  forecastStabilizationMs: { type: 'int', min: 0, optional: true },
  tickIntervalMs: { type: 'int', min: 100 },
  forecastStaleMs: { type: 'int', min: 0 },
  observationStaleMs: { type: 'int', min: 0 },
  onAnomaly: { type: 'enum', values: ['hold', 'follow', 'scaleUpOnly'] },
  anomalyThreshold: { type: 'number', min: 0, max: 1 },
  activationLag: { type: 'int', min: 1 },
};

/**
 * Rules across fields, read by both checks like the table above: `breaks` says whether a policy breaks
 * one, `field` is where the zod schema reports it (zod checks them only once every field passed).
 */
export const POLICY_CROSS_FIELD_RULES: readonly { field: keyof ScalingPolicy; message: string; breaks: (p: ScalingPolicy) => boolean }[] = [
  { field: 'minReplicas', message: 'minReplicas must not exceed maxReplicas', breaks: (p) => p.minReplicas > p.maxReplicas },
];

/** Why one value breaks its rule, or null. Written by hand because workflow code cannot use zod. */
export function fieldRuleProblem(field: string, rule: PolicyFieldRule, v: unknown): string | null {
  if (v === undefined) return rule.optional ? null : `${field} is required`;
  if (rule.type === 'boolean') return typeof v === 'boolean' ? null : `${field} must be true or false`;
  if (rule.type === 'enum')
    return typeof v === 'string' && rule.values.includes(v) ? null : `${field} must be one of ${rule.values.join(', ')}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${field} must be a finite number`;
  if (rule.type === 'int' && !Number.isInteger(v)) return `${field} must be an integer`;
  if (rule.minExclusive ? !(v > rule.min) : !(v >= rule.min))
    return `${field} must be ${rule.minExclusive ? 'greater than' : 'at least'} ${rule.min}`;
  if (rule.max !== undefined && v > rule.max) return `${field} must be at most ${rule.max}`;
  return null;
}

/**
 * Caps a deployment sets in its worker's configuration, checked with the target. The defaults are
 * what the REST API, the targets file and a workflow started directly all get unless configured.
 */
export interface TargetLimits {
  /** Most replicas a `local` target may run: each is a process on this machine. */
  maxLocalReplicas: number;
  /** Shortest tick interval a target may ask for: each tick is workflow history and three reads. */
  minTickIntervalMs: number;
}

export const DEFAULT_TARGET_LIMITS: TargetLimits = { maxLocalReplicas: 8, minTickIntervalMs: 1_000 };

/** Breaches of the configured limits, as [field path, message]; the fixed rules are in POLICY_FIELD_RULES. */
export function targetLimitProblems(target: Pick<ScalingTarget, 'scaler' | 'policy'>, limits: TargetLimits): [string, string][] {
  const problems: [string, string][] = [];
  const { policy } = target;
  if (target.scaler.kind === 'local' && policy.maxReplicas > limits.maxLocalReplicas) {
    problems.push([
      'policy.maxReplicas',
      `a local target runs each replica as a process on this machine: maxReplicas must be at most ${limits.maxLocalReplicas} (SMARTSCALE_LOCAL_SCALER_MAX_REPLICAS)`,
    ]);
  }
  if (policy.tickIntervalMs < limits.minTickIntervalMs) {
    problems.push([
      'policy.tickIntervalMs',
      `tickIntervalMs must be at least ${limits.minTickIntervalMs} (SMARTSCALE_MIN_TICK_INTERVAL_MS)`,
    ]);
  }
  return problems;
}
