import { ForecastPoint } from '@smartscale/forecasting';
import { forecastQuantile } from '@smartscale/policy';

/** Service levels whose forecast quantile (as decide() computes it) is checked against outcomes. */
export const SERVICE_LEVELS = [0.9, 0.95, 0.99];

export interface HorizonMetrics {
  h: number;
  /** forecasts scored at this horizon */
  n: number;
  mae: number;
  /** MAE over the one-step naive MAE of the same rows (Hyndman's MASE with m = 1) */
  mase: number;
  /** MAE over naive's MAE at the same horizon and rows */
  relativeToNaive: number;
  /** MAE over seasonal naive's MAE at the same horizon and rows: the target is ≤ 0.8 */
  relativeToSeasonalNaive: number;
  /** fraction of actuals inside [lower, upper] */
  coverage: number;
  /** mean interval width over the mean absolute actual, so series of any scale compare */
  relativeWidth: number;
  /**
   * Per SERVICE_LEVELS entry: the fraction of outcomes at or below the forecast quantile decide()
   * plans for at that level (from the point and the 80 % interval's upper bound). Calibrated when
   * it matches the level.
   */
  serviceLevels: number[];
}

/** Running sums for one model at one horizon. */
export class HorizonAccumulator {
  n = 0;
  private absError = 0;
  private covered = 0;
  private width = 0;
  private absActual = 0;
  private readonly atOrBelow = SERVICE_LEVELS.map(() => 0);

  add(f: ForecastPoint, actual: number): void {
    this.n++;
    SERVICE_LEVELS.forEach((level, i) => {
      if (actual <= forecastQuantile(f.point, f.upper, level)) this.atOrBelow[i]++;
    });
    this.absError += Math.abs(actual - f.point);
    if (actual >= f.lower && actual <= f.upper) this.covered++;
    this.width += f.upper - f.lower;
    this.absActual += Math.abs(actual);
  }

  get mae(): number {
    return this.absError / this.n;
  }

  finish(h: number, naiveOneStep: number, naive: number, seasonalNaive: number): HorizonMetrics {
    const mae = this.mae;
    return {
      h,
      n: this.n,
      mae,
      mase: mae / naiveOneStep,
      relativeToNaive: mae / naive,
      relativeToSeasonalNaive: mae / seasonalNaive,
      coverage: this.covered / this.n,
      relativeWidth: this.width / Math.max(this.absActual, 1e-12),
      serviceLevels: this.atOrBelow.map((c) => c / this.n),
    };
  }
}
