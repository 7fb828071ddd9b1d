/** One step of a forecast: the point and a prediction interval at the forecaster's coverage. */
export interface ForecastPoint {
  point: number;
  lower: number;
  upper: number;
}

/** Serialised forecaster: plain JSON, restored by `restoreForecaster` or the class's `fromJSON`. */
export interface ForecasterJSON<C = unknown, S = unknown> {
  kind: string;
  config: C;
  state: S;
  errors: HorizonErrorsJSON;
}

export interface HorizonErrorsJSON {
  config: HorizonErrorsConfig;
  /** forecasts made at the most recent steps, newest first, each for horizons 1..maxHorizon */
  pending: number[][];
  mae: number[];
  count: number[];
  /** per-horizon multiplier of the MAE that gives the interval half-width */
  multiplier: number[];
}

export interface HorizonErrorsConfig {
  /** horizons whose own errors are tracked; beyond it the last one is widened by sqrt(h/max) */
  maxHorizon: number;
  /** weight of the exponentially weighted mean absolute error (≈ 1 / memory in steps) */
  alpha: number;
  /** target coverage of the interval, e.g. 0.8 */
  coverage: number;
  /** step of the online quantile tracker that calibrates the interval multiplier */
  quantileRate: number;
}

export const DEFAULT_HORIZON_ERRORS: HorizonErrorsConfig = {
  maxHorizon: 12,
  alpha: 0.02,
  coverage: 0.8,
  quantileRate: 0.01,
};

/**
 * A forecaster that learns one point at a time. `forecast(h)` uses only the points learned so far,
 * so a backtest that interleaves learn/forecast is free of look-ahead by construction.
 */
export interface OnlineForecaster {
  readonly kind: string;
  learn(value: number): void;
  /** horizons 1..h after the last learned point */
  forecast(h: number): ForecastPoint[];
  /** point forecasts only: what the ensemble combines, without building intervals */
  predict(h: number): number[];
  /** recent mean absolute error of the h-step forecast (h ≥ 1); NaN until one has resolved */
  recentMae(h: number): number;
  toJSON(): ForecasterJSON;
}
