import { normalTail } from '../anomaly/gaussian';
import { DEFAULT_HORIZON_ERRORS, HorizonErrorsConfig, HorizonErrorsJSON } from './forecaster';

/** Two-sided normal quantile by bisection: only used once per tracker, at construction. */
function normalQuantile(coverage: number): number {
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (2 * normalTail(mid) > 1 - coverage) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Scores every forecast against the value that later arrives, per horizon, and turns the recent
 * absolute errors into intervals. The half-width is multiplier × MAE, and the multiplier follows
 * the (coverage)-quantile of |error| / MAE with an online quantile update, so the interval stays
 * calibrated on heavy-tailed load data where a Gaussian z would under-cover.
 */
export class HorizonErrors {
  constructor(private readonly s: HorizonErrorsJSON) {}

  static create(config: HorizonErrorsConfig = DEFAULT_HORIZON_ERRORS): HorizonErrors {
    const h = config.maxHorizon;
    // MAE = σ·sqrt(2/π) for a Gaussian, so the z-quantile in MAE units is a sane starting point.
    const start = normalQuantile(config.coverage) * Math.sqrt(Math.PI / 2);
    return new HorizonErrors({
      config,
      pending: [],
      mae: new Array<number>(h).fill(0),
      count: new Array<number>(h).fill(0),
      multiplier: new Array<number>(h).fill(start),
    });
  }

  get maxHorizon(): number {
    return this.s.config.maxHorizon;
  }

  /** Resolves the forecasts that targeted this value; call before the model learns it. */
  observe(actual: number): void {
    const { alpha, coverage, quantileRate } = this.s.config;
    this.s.pending.forEach((forecasts, age) => {
      const h = age + 1;
      if (h > forecasts.length) return;
      const err = Math.abs(actual - forecasts[h - 1]);
      const i = h - 1;
      if (this.s.count[i] > 0 && this.s.mae[i] > 0) {
        const miss = err / this.s.mae[i] > this.s.multiplier[i] ? 1 : 0;
        this.s.multiplier[i] = Math.max(0, this.s.multiplier[i] + quantileRate * (miss - (1 - coverage)));
      }
      this.s.count[i]++;
      this.s.mae[i] += Math.max(alpha, 1 / this.s.count[i]) * (err - this.s.mae[i]);
    });
  }

  /** Remembers the forecasts just made so `observe` can score them when their targets arrive. */
  record(forecasts: number[]): void {
    this.s.pending.unshift(forecasts);
    if (this.s.pending.length > this.s.config.maxHorizon) this.s.pending.pop();
  }

  recentMae(h: number): number {
    const i = Math.min(h, this.maxHorizon) - 1;
    if (this.s.count[i] === 0) return NaN;
    return this.s.mae[i] * (h > this.maxHorizon ? Math.sqrt(h / this.maxHorizon) : 1);
  }

  /** Half-width of the interval at horizon h; 0 until the first error at that horizon resolved. */
  halfWidth(h: number): number {
    const mae = this.recentMae(h);
    const i = Math.min(h, this.maxHorizon) - 1;
    return Number.isNaN(mae) ? 0 : this.s.multiplier[i] * mae;
  }

  toJSON(): HorizonErrorsJSON {
    return structuredClone(this.s);
  }
}
