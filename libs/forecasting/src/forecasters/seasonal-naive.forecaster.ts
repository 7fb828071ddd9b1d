import { HorizonErrors } from './horizon-errors';
import { ForecasterJSON, HorizonErrorsConfig } from './forecaster';
import { TrackedForecaster } from './tracked-forecaster';

export interface SeasonalNaiveConfig {
  /** season length in steps, e.g. 48 for a day of 30-minute windows */
  period: number;
}

export interface SeasonalNaiveState {
  /** ring of the last `period` values; `next` is the oldest slot, overwritten next */
  history: number[];
  next: number;
}

/** The value one season ago; falls back to the last value until a full season has been seen. */
export class SeasonalNaiveForecaster extends TrackedForecaster<SeasonalNaiveConfig, SeasonalNaiveState> {
  readonly kind = 'seasonal-naive';

  constructor(
    config: SeasonalNaiveConfig,
    errors?: HorizonErrors | HorizonErrorsConfig,
    private state: SeasonalNaiveState = { history: [], next: 0 },
  ) {
    if (!(config.period >= 1)) throw new RangeError('seasonal-naive: period must be ≥ 1');
    super(config, errors);
  }

  static fromJSON(json: ForecasterJSON<SeasonalNaiveConfig, SeasonalNaiveState>): SeasonalNaiveForecaster {
    return new SeasonalNaiveForecaster(json.config, new HorizonErrors(structuredClone(json.errors)), structuredClone(json.state));
  }

  protected update(value: number): void {
    // A ring, not push/shift: shifting a day of 5-minute values on every point is O(period).
    const s = this.state;
    if (s.history.length < this.config.period) s.history.push(value);
    else s.history[s.next] = value;
    s.next = (s.next + 1) % this.config.period;
  }

  protected project(h: number): number[] {
    const { history, next } = this.state;
    const m = this.config.period;
    if (history.length < m) return new Array<number>(h).fill(history.at(-1) ?? NaN);
    return Array.from({ length: h }, (_, i) => history[(next + i) % m]);
  }

  protected modelState(): SeasonalNaiveState {
    return this.state;
  }
}
