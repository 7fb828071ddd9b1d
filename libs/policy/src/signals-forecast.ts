import type { Reason, ScalingPolicy } from '@smartscale/contracts/workflow';
import type { ForecastSummary } from './decide';

/**
 * The forecast as a distribution: decide() plans for a quantile of it chosen by the policy's
 * service level, instead of the point plus a fixed headroom. Dependency-free (workflow code).
 */

/** Nominal coverage of the predictor's [lower, upper] interval when the forecast does not say. */
export const DEFAULT_INTERVAL_COVERAGE = 0.8;

/**
 * Standard normal quantile, Acklam's rational approximation (relative error < 1.2e-9): a dozen
 * lines, where a statistics package would be the only dependency of the workflow-safe policy lib.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * Standard Laplace quantile: load forecast errors have heavier tails than a normal's. With the
 * normal's shape the q0.99 built from the 80 % interval held only 96 % of outcomes on the
 * forecast-eval series; the Laplace's exponential tail is the measured choice (docs/forecasting.md).
 */
export function laplaceQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`laplaceQuantile: p must be in (0, 1), got ${p}`);
  return p >= 0.5 ? -Math.log(2 * (1 - p)) : Math.log(2 * p);
}

/**
 * The `level` quantile of the forecast peak over the horizon, from its point and the upper bound
 * of its calibrated interval: the interval's half-width is the distance from the median to the
 * (1 + coverage) / 2 quantile (the predictor calibrates it on its own residuals), rescaled to the
 * wanted quantile with a Laplace shape. Level 0.5 is the point; at the interval's own level it is
 * the upper bound exactly. A wide (uncertain) interval buys more capacity, a narrow one less.
 */
export function forecastQuantile(point: number, upper: number, level: number, coverage = DEFAULT_INTERVAL_COVERAGE): number {
  const half = Math.max(0, upper - point);
  const scale = laplaceQuantile(level) / laplaceQuantile((1 + coverage) / 2);
  return Math.max(0, point + half * scale);
}

/** "q0.99" for reasons: the quantile a decision planned for. */
export function quantileLabel(level: number): string {
  return `q${Number(level.toFixed(4))}`;
}

/** Periods for people: 420000 ms → "7 min", 3600000 → "1 h", 86400000 → "1 d". */
export function describePeriods(periodsMs: number[] | undefined): string {
  if (periodsMs === undefined) return 'periods unknown';
  if (periodsMs.length === 0) return 'no seasonal period found';
  const one = (ms: number): string => {
    const s = ms / 1000;
    if (s % 86_400 === 0) return `${s / 86_400} d`;
    if (s % 3600 === 0) return `${s / 3600} h`;
    if (s >= 60 && s % 60 === 0) return `${s / 60} min`;
    return s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s} s`;
  };
  return `period${periodsMs.length > 1 ? 's' : ''} ${periodsMs.map(one).join(' + ')}`;
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

/**
 * The quantile planned for: the policy's service level, or (policies without one) the interval's
 * upper bound with `forecastUpperBand`, else the point.
 */
function serviceLevelOf(policy: ScalingPolicy, coverage: number): number {
  return policy.serviceLevel ?? (policy.forecastUpperBand === true ? (1 + coverage) / 2 : 0.5);
}

/** The forecast as load: the service-level quantile of its peak over the horizon, and a reason naming it. */
export function forecastLoad(forecast: ForecastSummary, policy: ScalingPolicy, reasons: Reason[]): { load: number; text: string } {
  const coverage = forecast.intervalCoverage ?? DEFAULT_INTERVAL_COVERAGE;
  const band = forecast.upperPeakEventsPerSecond;
  const level = band === undefined ? 0.5 : serviceLevelOf(policy, coverage);
  const quantile =
    band === undefined ? forecast.peakEventsPerSecond : forecastQuantile(forecast.peakEventsPerSecond, band, level, coverage);
  // The upper quantiles are a worst case: they may fill replicas beyond their target load, up to the factor.
  const factor = level > 0.5 ? (policy.upperBandLoadFactor ?? 1) : 1;
  // ...but never below the median: a factor that brings the quantile under the point plans the point.
  const load = Math.max(quantile / factor, forecast.peakEventsPerSecond);
  const text =
    load > quantile / factor
      ? `forecast point peak ${fmt(load)} ev/s`
      : `forecast ${band === undefined ? 'point (no interval sent)' : quantileLabel(level)} peak ${fmt(quantile)} ev/s` +
        (factor !== 1 ? ` at ${fmt(factor)}× the target load (${fmt(quantile / factor)})` : '');
  reasons.push({
    code: 'forecast',
    message: `${text} over the next ${policy.forecastHorizonWindows} windows (${quantileLabel(level)}; ${describePeriods(forecast.seasonalPeriodsMs)}; point ${fmt(forecast.peakEventsPerSecond)} ev/s)`,
  });
  return { load, text };
}
