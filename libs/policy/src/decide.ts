import type { DecisionInputs, Reason, ScalingAction, ScalingPolicy } from '@smartscale/contracts/workflow';
import { errorsHoldDown, latencyReplicas, QualitySignals } from './signals';
import { forecastLoad } from './signals-forecast';

/** The latest closed window of the target's service, and what the scaler reports now. */
export interface Observation extends QualitySignals {
  eventsPerSecond: number;
  windowEnd: number;
  consumerLag: number;
  currentReplicas: number;
}

/** The predictor's answer reduced to what the rule needs. */
export interface ForecastSummary {
  peakEventsPerSecond: number;
  /** Peak of the prediction interval's upper bound over the horizon, when the predictor sends one. */
  upperPeakEventsPerSecond?: number;
  basedOnWindowEnd: number;
  anomalyScore: number;
  /** Seasonal periods (ms) the forecaster uses, shortest first; [] when it found none; absent when it did not say. */
  seasonalPeriodsMs?: number[];
  /** Nominal coverage of the interval the upper bound belongs to; absent: DEFAULT_INTERVAL_COVERAGE (0.8). */
  intervalCoverage?: number;
  /** Windows of the service the forecaster learned (Forecast.historyWindows); absent when it did not say. */
  historyWindows?: number;
}

/** The part of the predictor's answer (the `Forecast` contract) a decision reads. */
export interface ForecastAnswer {
  points: { eventsPerSecond: number; upper: number }[];
  basedOnWindowEnd: number;
  anomalyScore: number;
  windowMs?: number;
  seasonalPeriods?: number[];
  intervalCoverage?: number;
  historyWindows?: number;
}

/**
 * The predictor's answer reduced to what decide() reads: the peaks over the horizon, the seasonal
 * periods in ms, the interval's coverage and the history learned. The worker's PredictorClient and the
 * backtester both call it, so the backtest replays the product's reduction.
 */
export function summarizeForecast(f: ForecastAnswer): ForecastSummary {
  const windowMs = f.windowMs;
  return {
    peakEventsPerSecond: Math.max(...f.points.map((p) => p.eventsPerSecond)),
    upperPeakEventsPerSecond: Math.max(...f.points.map((p) => p.upper)),
    basedOnWindowEnd: f.basedOnWindowEnd,
    anomalyScore: f.anomalyScore,
    ...(f.seasonalPeriods && windowMs ? { seasonalPeriodsMs: f.seasonalPeriods.map((p) => p * windowMs) } : {}),
    ...(f.intervalCoverage !== undefined ? { intervalCoverage: f.intervalCoverage } : {}),
    ...(f.historyWindows !== undefined ? { historyWindows: f.historyWindows } : {}),
  };
}

export interface DecideState {
  lastScaleUpAt: number | null;
  lastScaleDownAt: number | null;
  recommendations: { at: number; replicas: number }[];
}

export interface DecideInput {
  now: number;
  observation: Observation | null;
  forecast: ForecastSummary | null;
  /** Why there is no forecast, when there is none (predictor down, timed out...). */
  forecastError?: string;
  policy: ScalingPolicy;
  state: DecideState;
  /** Replica count to assume when the scaler could not be observed. */
  lastKnownReplicas: number | null;
  /** Events waiting in the target's consumer group (its lag); null when unknown. */
  pendingEvents?: number | null;
}

export interface DecideResult {
  action: ScalingAction;
  from: number;
  to: number;
  reasons: Reason[];
  inputs: DecisionInputs;
  /** The state's recommendation list with this tick's raw recommendation added and the old ones pruned. */
  recommendations: { at: number; replicas: number }[];
}

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));
const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

interface Demand {
  eventsPerSecond: number;
  forecastUsed: boolean;
  /**
   * The forecast quantile over the horizon, as load, when it is below the observed rate and the
   * policy scales in predictively: the demand a predictive scale-in plans for.
   */
  predictiveEps: number | null;
  allowDown: boolean;
  hold: boolean;
  reasons: Reason[];
}

/** Which load to plan for: the observed rate, or the forecast quantile when it is fresh and higher. */
function planDemand(input: DecideInput, obs: Observation): Demand {
  const { policy, forecast, now } = input;
  const reasons: Reason[] = [];
  let eps = obs.eventsPerSecond;
  let forecastUsed = false;
  let predictiveEps: number | null = null;
  if (!forecast) {
    reasons.push({
      code: 'reactive-fallback',
      message: `no forecast (${input.forecastError ?? 'predictor unavailable'}): reactive rule on observed load`,
    });
  } else if (now - forecast.basedOnWindowEnd > policy.forecastStaleMs) {
    reasons.push({
      code: 'reactive-fallback',
      message: `forecast is stale (${Math.round((now - forecast.basedOnWindowEnd) / 1000)} s old): reactive rule on observed load`,
    });
  } else {
    forecastUsed = true;
    const { load, text } = forecastLoad(forecast, policy, reasons);
    if (load > eps) {
      reasons.push({
        code: 'forecast-peak',
        message: `${text} over ${policy.forecastHorizonWindows} windows exceeds observed ${fmt(eps)} ev/s`,
      });
      eps = load;
    } else if (policy.predictiveScaleIn === true) {
      predictiveEps = load;
    }
  }
  const anomalous = forecastUsed && forecast !== null && forecast.anomalyScore >= policy.anomalyThreshold;
  if (anomalous) {
    reasons.push({
      code: 'anomaly',
      message: `anomaly score ${fmt(forecast.anomalyScore)} ≥ ${policy.anomalyThreshold}: policy says ${policy.onAnomaly}`,
    });
  }
  return {
    eventsPerSecond: eps,
    forecastUsed,
    predictiveEps: anomalous ? null : predictiveEps,
    allowDown: !(anomalous && policy.onAnomaly === 'scaleUpOnly'),
    hold: anomalous && policy.onAnomaly === 'hold',
    reasons,
  };
}

/**
 * Events/s the consumer lag adds to the plan (0 when the policy ignores lag). Two parts: the lag the
 * window already reports is a backlog, drained within `lagDrainMs`; lag that grew after the window
 * closed (the scaler's fresher reading) is load the window does not show yet, spread over
 * `lagGrowthMs`. The second part sees a spike a window earlier than the rate does.
 */
function lagRate(windowLag: number, growth: number, pending: number | null, policy: ScalingPolicy, reasons: Reason[]): number {
  const backlog = Math.min(windowLag, pending ?? windowLag);
  const drain = policy.lagDrainMs && policy.lagDrainMs > 0 && backlog > 0 ? backlog / (policy.lagDrainMs / 1000) : 0;
  const unseen = policy.lagGrowthMs && policy.lagGrowthMs > 0 && growth > 0 ? growth / (policy.lagGrowthMs / 1000) : 0;
  if (drain > 0)
    reasons.push({
      code: 'lag-drain',
      message: `${Math.round(backlog)} events of lag drained within ${(policy.lagDrainMs ?? 0) / 1000} s add ${fmt(drain)} ev/s`,
    });
  if (unseen > 0)
    reasons.push({
      code: 'lag-growth',
      message: `lag grew by ${Math.round(growth)} events since the window closed: ${fmt(unseen)} ev/s not in the window yet`,
    });
  return drain + unseen;
}

interface LagPlan {
  /** the demand to plan for: the window's rate, raised to what saturated replicas serve */
  demandEps: number;
  /** events/s added to drain the backlog and to cover the load the window does not show yet */
  eps: number;
  /** the lag grew after the window closed: the replicas serving now are not enough */
  growing: boolean;
}

/**
 * What the consumer lag says beyond the window's rate. Growth read within `lagSettleMs` of a
 * scale-up is expected (the new replicas are still starting) and is not news, so it is ignored.
 */
function planLag(input: DecideInput, obs: Observation, demandEps: number, reasons: Reason[]): LagPlan {
  const { policy, state, now } = input;
  const settling = state.lastScaleUpAt !== null && now - state.lastScaleUpAt < (policy.lagSettleMs ?? 0);
  const pending = settling ? Math.min(input.pendingEvents ?? obs.consumerLag, obs.consumerLag) : (input.pendingEvents ?? null);
  const rawGrowth = Math.max(0, (pending ?? obs.consumerLag) - obs.consumerLag);
  const noise = (obs.eventsPerSecond * (policy.lagGrowthNoiseMs ?? 0)) / 1000;
  const growth = rawGrowth > noise ? rawGrowth : 0;
  const eps = lagRate(obs.consumerLag, growth, pending, policy, reasons);
  const growing = (policy.lagGrowthMs ?? 0) > 0 && growth > 0;
  const served = obs.currentReplicas * policy.capacityPerReplica;
  if (!growing || served <= demandEps) return { demandEps, eps, growing };
  // A growing lag means the replicas are saturated: they serve at least their planned capacity, so
  // the arrival rate is at least that plus the growth, whatever the (older) window says.
  reasons.push({
    code: 'saturated',
    message: `lag is growing: ${obs.currentReplicas} replicas serve at least ${fmt(served)} ev/s, more than the window's ${fmt(demandEps)}`,
  });
  return { demandEps: served, eps, growing };
}

/**
 * Replicas needed for the demand with headroom (and the lag to drain), kept at `current` inside the
 * tolerance band. The band may be asymmetric: eager to add capacity, reluctant to remove it.
 */
function rawRecommendation(demandEps: number, lagEps: number, current: number, policy: ScalingPolicy, reasons: Reason[]): number {
  const planned = demandEps * (1 + policy.headroom) + lagEps;
  const needed = Math.ceil(planned / policy.capacityPerReplica);
  const ratio = current > 0 ? planned / (current * policy.capacityPerReplica) : Infinity;
  const up = policy.scaleUpTolerance ?? policy.tolerance;
  const down = policy.scaleDownTolerance ?? policy.tolerance;
  if (current > 0 && ratio - 1 <= up && 1 - ratio <= down) {
    const band = up === down ? `±${up * 100} %` : `+${fmt(up * 100)} / −${fmt(down * 100)} %`;
    reasons.push({
      code: 'within-tolerance',
      message: `load is ${fmt(ratio * 100)} % of ${current} replicas' capacity, inside the ${band} band`,
    });
    return current;
  }
  reasons.push({
    code: 'capacity',
    message: `${fmt(planned)} ev/s planned (with ${policy.headroom * 100} % headroom) needs ${needed} replicas at ${policy.capacityPerReplica} ev/s each`,
  });
  return needed;
}

/** Stabilisation, step limits and cooldowns: the rules that keep a correct target from flapping. */
function limit(
  input: DecideInput,
  current: number,
  bounded: number,
  recent: DecideResult['recommendations'],
  forecastUsed: boolean,
  predictive: boolean,
  reasons: Reason[],
): number {
  const { policy, state, now } = input;
  let desired = bounded;
  // A predictive scale-in skips the window: the forecast's quantile over the horizon already says the drop lasts.
  if (desired < current && !predictive) {
    // A fresh forecast already plans for the load ahead: the window that guards against a dip that
    // will not last can be shorter then.
    const windowMs = forecastUsed
      ? Math.min(policy.forecastStabilizationMs ?? Infinity, policy.scaleDownStabilizationMs)
      : policy.scaleDownStabilizationMs;
    const recs = recent.filter((r) => now - r.at < windowMs);
    const stable = Math.max(desired, ...recs.map((r) => r.replicas));
    if (stable > desired) {
      reasons.push({ code: 'stabilizing', message: `highest recommendation in the last ${windowMs / 1000} s is ${stable}` });
      desired = Math.min(stable, current);
    }
  }
  // With its own down band, the band also holds for the stabilised target: a window of falling
  // recommendations would otherwise step down one replica at a time, each step inside the band.
  const downBand = policy.scaleDownTolerance;
  if (downBand !== undefined && desired < current && desired > current * (1 - downBand)) {
    reasons.push({
      code: 'within-tolerance',
      message: `stabilised target ${desired} is within ${fmt(downBand * 100)} % of ${current} replicas: too small a step down`,
    });
    desired = current;
  }
  if (desired > current + policy.scaleUpMaxStep) {
    reasons.push({ code: 'step-limit', message: `scale-up limited to +${policy.scaleUpMaxStep} per decision` });
    desired = current + policy.scaleUpMaxStep;
  }
  if (desired < current - policy.scaleDownMaxStep) {
    reasons.push({ code: 'step-limit', message: `scale-down limited to -${policy.scaleDownMaxStep} per decision` });
    desired = current - policy.scaleDownMaxStep;
  }
  const lastScale = Math.max(state.lastScaleUpAt ?? -Infinity, state.lastScaleDownAt ?? -Infinity);
  const cooldown = desired > current ? policy.scaleUpCooldownMs : policy.scaleDownCooldownMs;
  const inBounds = current >= policy.minReplicas && current <= policy.maxReplicas;
  if (desired !== current && inBounds && now - lastScale < cooldown) {
    reasons.push({
      code: 'cooldown',
      message: `in ${desired > current ? 'scale-up' : 'scale-down'} cooldown for another ${Math.ceil((cooldown - (now - lastScale)) / 1000)} s`,
    });
    return current;
  }
  return desired;
}

/**
 * Predictive scale-in (policy.predictiveScaleIn): the forecast's service-level quantile over the
 * horizon, with what the lag asks, fits in fewer replicas than run now. Null when it does not, when
 * the lag grows (the replicas are saturated whatever the forecast says) or when the observed load
 * asks for more replicas.
 */
function predictiveTarget(
  demand: Demand,
  lag: LagPlan,
  obs: Observation,
  bounded: number,
  policy: ScalingPolicy,
): { target: number; reasons: Reason[] } | null {
  if (demand.predictiveEps === null || lag.growing) return null;
  const current = obs.currentReplicas;
  const scratch: Reason[] = [];
  const raw = Math.max(
    rawRecommendation(demand.predictiveEps, lag.eps, current, policy, scratch),
    latencyReplicas(obs, current, policy, scratch),
  );
  const target = clamp(raw, policy.minReplicas, policy.maxReplicas);
  // Observed load that asks for more than runs now wins: the forecast may be wrong, the overload is not.
  if (target >= current || bounded > current) return null;
  const reason = `forecast ${fmt(demand.predictiveEps)} ev/s over the next ${policy.forecastHorizonWindows} windows, below the observed ${fmt(obs.eventsPerSecond)}, fits in ${target} replicas`;
  return { target, reasons: [{ code: 'predictive-scale-in', message: reason }] };
}

/**
 * Why a forecast is too young to scale in on (policy.predictiveScaleInMinHistoryWindows), or null.
 * A predictor that does not say how much it learned is not trusted with a scale-in.
 */
function shortHistory(forecast: ForecastSummary | null, policy: ScalingPolicy): Reason | null {
  const min = policy.predictiveScaleInMinHistoryWindows ?? 0;
  const seen = forecast?.historyWindows;
  if (min <= 0 || (seen !== undefined && seen >= min)) return null;
  const learned =
    seen === undefined ? 'forecast does not say how many windows it was learned from' : `forecast learned from ${seen} windows`;
  return { code: 'predictive-scale-in-skipped', message: `${learned} (< ${min}): no predictive scale-in` };
}

/**
 * What the stabilisation window remembers. The lag is transient: capacity to drain it is not
 * remembered, so it goes as soon as the lag does instead of being held like a load peak.
 */
function remembered(demand: Demand, lag: LagPlan, bounded: number, current: number, policy: ScalingPolicy): number {
  if (!(lag.eps > 0 || lag.growing)) return bounded;
  const loadOnly = clamp(rawRecommendation(demand.eventsPerSecond, 0, current, policy, []), policy.minReplicas, policy.maxReplicas);
  return !demand.allowDown && loadOnly < current ? current : loadOnly;
}

/**
 * The decision rule: pure and deterministic, so the workflow, the backtester and the tests run the
 * very same code. Never leaves [min, max], never acts inside a cooldown, holds on missing data.
 */
export function decide(input: DecideInput): DecideResult {
  const { policy, now, observation: obs } = input;
  const fallbackReplicas = input.lastKnownReplicas ?? policy.minReplicas;
  const inputs: DecisionInputs = {
    observedEventsPerSecond: obs?.eventsPerSecond ?? null,
    observedWindowEnd: obs?.windowEnd ?? null,
    forecastPeakEventsPerSecond: input.forecast?.peakEventsPerSecond ?? null,
    forecastUsed: false,
    anomalyScore: input.forecast?.anomalyScore ?? null,
    consumerLag: obs?.consumerLag ?? null,
    ...(obs?.latencyP95 !== undefined ? { observedLatencyP95Ms: obs.latencyP95 } : {}),
    ...(obs?.errorRate !== undefined ? { observedErrorRate: obs.errorRate } : {}),
  };
  const recent = input.state.recommendations.filter((r) => now - r.at < policy.scaleDownStabilizationMs);
  const atZero = (obs?.currentReplicas ?? fallbackReplicas) === 0 && policy.minReplicas === 0;
  if (atZero) return wakeFromZero(input, inputs, recent);
  if (!obs || now - obs.windowEnd > policy.observationStaleMs) {
    const why = obs ? `latest window ended ${Math.round((now - obs.windowEnd) / 1000)} s ago` : 'no window observed yet';
    const reasons = [{ code: 'no-observation', message: `${why}: never scaling on missing data` }];
    // Bounds still hold without data: a target below its minimum (a fresh start) is brought up to it.
    const to = clamp(fallbackReplicas, policy.minReplicas, policy.maxReplicas);
    if (to !== fallbackReplicas)
      reasons.push({ code: 'bounds', message: `${fallbackReplicas} replicas is outside [${policy.minReplicas}, ${policy.maxReplicas}]` });
    const action: ScalingAction = to > fallbackReplicas ? 'up' : to < fallbackReplicas ? 'down' : 'hold';
    return { action, from: fallbackReplicas, to, reasons, inputs, recommendations: recent };
  }
  const current = obs.currentReplicas;
  const demand = planDemand(input, obs);
  inputs.forecastUsed = demand.forecastUsed;
  const reasons = [...demand.reasons];
  const lag = planLag(input, obs, demand.eventsPerSecond, reasons);
  let raw = Math.max(rawRecommendation(lag.demandEps, lag.eps, current, policy, reasons), latencyReplicas(obs, current, policy, reasons));
  if (lag.growing && raw <= current) {
    raw = current + 1;
    reasons.push({ code: 'lag-growing', message: `lag is growing: ${current} replicas are not enough, adding one` });
  }
  let bounded = clamp(raw, policy.minReplicas, policy.maxReplicas);
  if (bounded !== raw) reasons.push({ code: 'bounds', message: `clamped to [${policy.minReplicas}, ${policy.maxReplicas}]` });
  let predictive = predictiveTarget(demand, lag, obs, bounded, policy);
  const tooYoung = predictive === null ? null : shortHistory(input.forecast, policy);
  if (tooYoung !== null) {
    reasons.push(tooYoung);
    predictive = null;
  }
  if ((bounded < current || predictive !== null) && (!demand.allowDown || errorsHoldDown(obs, policy, reasons))) {
    bounded = current;
    predictive = null;
  }
  if (predictive !== null) {
    reasons.push(...predictive.reasons);
    bounded = predictive.target;
  }
  const recommendations = [...recent, { at: now, replicas: remembered(demand, lag, bounded, current, policy) }];
  // Bounds win over stabilisation and step limits: a lowered maximum (setPolicy) applies at once.
  const to = clamp(
    demand.hold ? current : limit(input, current, bounded, recent, demand.forecastUsed, predictive !== null, reasons),
    policy.minReplicas,
    policy.maxReplicas,
  );
  if (to < current) {
    const windowS =
      (demand.forecastUsed
        ? Math.min(policy.forecastStabilizationMs ?? Infinity, policy.scaleDownStabilizationMs)
        : policy.scaleDownStabilizationMs) / 1000;
    reasons.push(
      predictive !== null
        ? {
            code: 'scale-in',
            message: `predictive scale-in: ahead of the forecast drop, without waiting out the ${windowS} s stabilisation window`,
          }
        : { code: 'scale-in', message: `reactive scale-in: on observed load, after the ${windowS} s stabilisation window` },
    );
  }
  const action: ScalingAction = to > current ? 'up' : to < current ? 'down' : 'hold';
  return { action, from: current, to, reasons, inputs, recommendations };
}

/**
 * Scale from zero (KEDA's activation, Spark's dynamic allocation): at zero no replica consumes, so no
 * window closes and the observed rate is meaningless; the group's lag is the signal that wakes it.
 */
function wakeFromZero(input: DecideInput, inputs: DecisionInputs, recent: DecideResult['recommendations']): DecideResult {
  const { policy } = input;
  const pending = input.pendingEvents ?? 0;
  if (pending < policy.activationLag) {
    const reasons = [
      { code: 'idle-at-zero', message: `${pending} events waiting, below the activation threshold of ${policy.activationLag}` },
    ];
    return { action: 'hold', from: 0, to: 0, reasons, inputs, recommendations: recent };
  }
  const to = 1;
  const reasons = [
    { code: 'activation', message: `${pending} events waiting ≥ activation threshold ${policy.activationLag}: waking from zero` },
  ];
  return { action: 'up', from: 0, to, reasons, inputs, recommendations: [...recent, { at: input.now, replicas: to }] };
}
