import { Matrix, solve } from 'ml-matrix';
import { HorizonErrors } from './horizon-errors';
import { ForecasterJSON, HorizonErrorsConfig } from './forecaster';
import { TrackedForecaster } from './tracked-forecaster';

export interface LagRegressionConfig {
  /** lags (in steps, ≥ 1) used as features, e.g. [1, 2, 3, 48, 49] */
  lags: number[];
  /** per-step forgetting factor of the sufficient statistics: old behaviour fades out */
  forgetting: number;
  /** ridge penalty relative to the mean diagonal of XᵀX, keeps nearly collinear lags stable */
  ridge: number;
  /** refit (a small linear solve) every this many points instead of on every point */
  refitEvery: number;
}

/** Short-term lags plus the same time one and two seasons back, and their neighbours. */
export function seasonalLags(periods: number[]): number[] {
  const lags = new Set<number>([1, 2, 3]);
  for (const p of periods) [p - 1, p, p + 1].forEach((l) => lags.add(l));
  return [...lags].filter((l) => l >= 1).sort((a, b) => a - b);
}

export const DEFAULT_LAG_REGRESSION: Omit<LagRegressionConfig, 'lags'> = { forgetting: 0.999, ridge: 1e-3, refitEvery: 16 };

export interface LagRegressionState {
  /** ring of the last max(lags) values; `next` is the oldest slot */
  history: number[];
  next: number;
  /** running centre subtracted from values so the intercept is small and the ridge is fair */
  centre: number;
  xtx: number[][];
  xty: number[];
  /** intercept first, then one weight per lag; empty until the first fit */
  weights: number[];
  sinceFit: number;
}

/**
 * Linear regression of the next value on lagged values, fitted online by ridge on exponentially
 * forgotten sufficient statistics (XᵀX, Xᵀy) and solved with ml-matrix. Multi-step forecasts are
 * recursive: predicted values stand in for the lags not yet observed.
 */
export class LagRegressionForecaster extends TrackedForecaster<LagRegressionConfig, LagRegressionState> {
  readonly kind = 'lag-regression';
  private readonly maxLag: number;

  constructor(
    config: LagRegressionConfig,
    errors?: HorizonErrors | HorizonErrorsConfig,
    private state?: LagRegressionState,
  ) {
    if (config.lags.length === 0 || config.lags.some((l) => !Number.isInteger(l) || l < 1)) {
      throw new RangeError('lag-regression: lags must be integers ≥ 1');
    }
    super(config, errors);
    this.maxLag = Math.max(...config.lags);
    const k = config.lags.length + 1;
    this.state ??= {
      history: [],
      next: 0,
      centre: NaN,
      xtx: Array.from({ length: k }, () => new Array<number>(k).fill(0)),
      xty: new Array<number>(k).fill(0),
      weights: [],
      sinceFit: 0,
    };
  }

  static fromJSON(json: ForecasterJSON<LagRegressionConfig, LagRegressionState>): LagRegressionForecaster {
    return new LagRegressionForecaster(json.config, new HorizonErrors(structuredClone(json.errors)), structuredClone(json.state));
  }

  private get s(): LagRegressionState {
    return this.state as LagRegressionState;
  }

  /** Value `lag` steps before the next one, from the ring (lag 1 = the last value). */
  private lagged(lag: number): number {
    const { history, next } = this.s;
    return history[(next - lag + 2 * this.maxLag) % this.maxLag];
  }

  protected update(value: number): void {
    const s = this.s;
    s.centre = Number.isNaN(s.centre) ? value : s.centre + 0.01 * (value - s.centre);
    if (s.history.length === this.maxLag) this.accumulate(value);
    if (s.history.length < this.maxLag) s.history.push(value);
    else s.history[s.next] = value;
    s.next = (s.next + 1) % this.maxLag;
    if (++s.sinceFit >= this.config.refitEvery && s.history.length === this.maxLag) this.fit();
  }

  private features(lagValue: (lag: number) => number): number[] {
    return [1, ...this.config.lags.map((l) => lagValue(l) - this.s.centre)];
  }

  private accumulate(value: number): void {
    const x = this.features((l) => this.lagged(l));
    const y = value - this.s.centre;
    const f = this.config.forgetting;
    const { xtx, xty } = this.s;
    for (let i = 0; i < x.length; i++) {
      xty[i] = f * xty[i] + x[i] * y;
      for (let j = 0; j < x.length; j++) xtx[i][j] = f * xtx[i][j] + x[i] * x[j];
    }
  }

  private fit(): void {
    const { xtx, xty } = this.s;
    const k = xty.length;
    const meanDiagonal = xtx.reduce((sum, row, i) => sum + row[i], 0) / k;
    const penalty = this.config.ridge * meanDiagonal + 1e-12;
    const a = new Matrix(xtx).add(Matrix.eye(k).mul(penalty));
    const w = solve(a, Matrix.columnVector(xty)).getColumn(0);
    if (w.every(Number.isFinite)) this.s.weights = w;
    this.s.sinceFit = 0;
  }

  protected project(h: number): number[] {
    const s = this.s;
    const last = s.history.length === 0 ? NaN : this.lagged(1);
    if (s.weights.length === 0) return new Array<number>(h).fill(last);
    const out: number[] = [];
    for (let step = 0; step < h; step++) {
      // Lag l at step `step` is a forecast when l ≤ step, otherwise an observed value.
      const x = this.features((l) => (l <= step ? out[step - l] : this.lagged(l - step)));
      out.push(s.centre + x.reduce((sum, xi, i) => sum + xi * s.weights[i], 0));
    }
    return out;
  }

  protected modelState(): LagRegressionState {
    return this.s;
  }
}
