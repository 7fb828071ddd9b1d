import { HorizonErrors } from './horizon-errors';
import { ForecasterJSON, HorizonErrorsConfig } from './forecaster';
import { TrackedForecaster } from './tracked-forecaster';

export interface HoltWintersConfig {
  /** season lengths in steps, shortest first, e.g. [48, 336] for daily and weekly on 30-minute data */
  periods: number[];
  alpha: number;
  beta: number;
  gamma: number;
  /** trend damping φ in (0, 1]: forecasts flatten instead of extrapolating a trend forever */
  phi: number;
}

export const DEFAULT_HOLT_WINTERS: Omit<HoltWintersConfig, 'periods'> = { alpha: 0.2, beta: 0.01, gamma: 0.2, phi: 0.98 };

export interface HoltWintersState {
  t: number;
  level: number;
  trend: number;
  /** one seasonal profile per period */
  seasons: number[][];
  /** first season's values, kept only until initialisation */
  warmup: number[];
  initialised: boolean;
}

/**
 * Additive damped Holt-Winters, online, with one or more seasonal periods (Taylor's double-seasonal
 * form). The first period is initialised from its first full cycle; longer periods start flat and
 * learn what the first leaves over, because waiting a full week before forecasting is not an option.
 * Until the first cycle is complete it forecasts the last value.
 */
export class HoltWintersForecaster extends TrackedForecaster<HoltWintersConfig, HoltWintersState> {
  readonly kind = 'holt-winters';

  constructor(
    config: HoltWintersConfig,
    errors?: HorizonErrors | HorizonErrorsConfig,
    private state?: HoltWintersState,
  ) {
    if (config.periods.length === 0 || config.periods.some((p) => !(p >= 2))) {
      throw new RangeError('holt-winters: every period must be ≥ 2');
    }
    super(config, errors);
    this.state ??= {
      t: 0,
      level: NaN,
      trend: 0,
      seasons: config.periods.map((p) => new Array<number>(p).fill(0)),
      warmup: [],
      initialised: false,
    };
  }

  static fromJSON(json: ForecasterJSON<HoltWintersConfig, HoltWintersState>): HoltWintersForecaster {
    return new HoltWintersForecaster(json.config, new HorizonErrors(structuredClone(json.errors)), structuredClone(json.state));
  }

  private get s(): HoltWintersState {
    return this.state as HoltWintersState;
  }

  private seasonal(t: number, except = -1): number {
    let sum = 0;
    this.s.seasons.forEach((season, k) => {
      if (k !== except) sum += season[t % season.length];
    });
    return sum;
  }

  protected update(value: number): void {
    const s = this.s;
    const m = this.config.periods[0];
    if (!s.initialised) {
      s.warmup.push(value);
      s.level = value;
      if (s.warmup.length === m) this.initialise();
      s.t++;
      return;
    }
    const { alpha, beta, gamma, phi } = this.config;
    const previous = s.level;
    s.level = alpha * (value - this.seasonal(s.t)) + (1 - alpha) * (previous + phi * s.trend);
    s.trend = beta * (s.level - previous) + (1 - beta) * phi * s.trend;
    s.seasons.forEach((season, k) => {
      const i = s.t % season.length;
      season[i] = gamma * (value - s.level - this.seasonal(s.t, k)) + (1 - gamma) * season[i];
    });
    s.t++;
  }

  private initialise(): void {
    const s = this.s;
    const mean = s.warmup.reduce((a, b) => a + b, 0) / s.warmup.length;
    s.warmup.forEach((x, i) => (s.seasons[0][i] = x - mean));
    s.level = mean;
    s.warmup = [];
    s.initialised = true;
  }

  protected project(h: number): number[] {
    const s = this.s;
    if (!s.initialised) return new Array<number>(h).fill(s.level);
    const out: number[] = [];
    let damp = 0;
    for (let k = 1; k <= h; k++) {
      damp += this.config.phi ** k;
      out.push(s.level + damp * s.trend + this.seasonal(s.t + k - 1));
    }
    return out;
  }

  protected modelState(): HoltWintersState {
    return this.s;
  }
}
