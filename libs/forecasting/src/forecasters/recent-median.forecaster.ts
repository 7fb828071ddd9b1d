import { HorizonErrors } from './horizon-errors';
import { ForecasterJSON, HorizonErrorsConfig } from './forecaster';
import { TrackedForecaster } from './tracked-forecaster';

export interface RecentMedianConfig {
  /** how many of the latest values the median is taken over */
  window: number;
}

export const DEFAULT_RECENT_MEDIAN: RecentMedianConfig = { window: 11 };

export interface RecentMedianState {
  /** ring of the last `window` values; `next` is the oldest slot, overwritten next */
  history: number[];
  next: number;
  /** median of `history`, kept so that forecasting does not sort again */
  median: number;
}

/**
 * The median of the latest values, flat. On bursty load (tweet volumes, request counts) a single
 * spike moves the naive forecast and the lag regression for many steps, but not a median; and the
 * median is the forecast that minimises absolute error, which MAE and MASE measure.
 */
export class RecentMedianForecaster extends TrackedForecaster<RecentMedianConfig, RecentMedianState> {
  readonly kind = 'recent-median';

  constructor(
    config: RecentMedianConfig = DEFAULT_RECENT_MEDIAN,
    errors?: HorizonErrors | HorizonErrorsConfig,
    private state: RecentMedianState = { history: [], next: 0, median: NaN },
  ) {
    if (!Number.isInteger(config.window) || config.window < 1) throw new RangeError('recent-median: window must be an integer ≥ 1');
    super(config, errors);
  }

  static fromJSON(json: ForecasterJSON<RecentMedianConfig, RecentMedianState>): RecentMedianForecaster {
    return new RecentMedianForecaster(json.config, new HorizonErrors(structuredClone(json.errors)), structuredClone(json.state));
  }

  protected update(value: number): void {
    const s = this.state;
    if (s.history.length < this.config.window) s.history.push(value);
    else s.history[s.next] = value;
    s.next = (s.next + 1) % this.config.window;
    s.median = median(s.history);
  }

  protected project(h: number): number[] {
    return new Array<number>(h).fill(this.state.median);
  }

  protected modelState(): RecentMedianState {
    return this.state;
  }
}

/** Sorting a copy is fine for the short windows this model is meant for (≈ 10 values). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
