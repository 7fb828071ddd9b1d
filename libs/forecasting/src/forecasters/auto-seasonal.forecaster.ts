import { createDefaultEnsemble } from './default-ensemble';
import { EnsembleForecaster } from './ensemble.forecaster';
import { DEFAULT_HORIZON_ERRORS, ForecasterJSON, ForecastPoint, HorizonErrorsConfig, OnlineForecaster } from './forecaster';
import { DEFAULT_PERIOD_DETECTOR, PeriodDetectorConfig } from './period-detector';
import { PeriodTracker, PeriodTrackerState, samePeriods } from './period-tracker';

export interface AutoSeasonalConfig {
  /**
   * Configured periods (steps): used until the history is long enough to confirm or drop them
   * (two cycles), and a detected period within 5 % of one takes the hint's exact length.
   */
  hints: number[];
  detector: PeriodDetectorConfig;
  errors: HorizonErrorsConfig;
}

export interface AutoSeasonalState {
  tracker: PeriodTrackerState;
  periods: number[];
  ensemble: ForecasterJSON;
}

/** Looks for cycles up to a day of 10 s windows unless told otherwise. */
export function autoSeasonalConfig(
  hints: number[],
  maxPeriod = 8640,
  errors: HorizonErrorsConfig = DEFAULT_HORIZON_ERRORS,
): AutoSeasonalConfig {
  const longest = Math.max(maxPeriod, ...hints.filter((h) => h >= 2));
  return { hints: hints.filter((h) => h >= 2), detector: { ...DEFAULT_PERIOD_DETECTOR, maxPeriod: longest }, errors };
}

/** The periods to model: those detected (snapped to a close hint) and the hints not yet decidable. */
export function periodsInUse(detected: number[], hints: number[], historyLength: number): number[] {
  const snapped = detected.map((d) => hints.find((h) => Math.abs(h - d) <= 0.05 * h) ?? d);
  const undecided = hints.filter((h) => historyLength < 2 * h + 1);
  const all = [...new Set([...snapped, ...undecided])].sort((a, b) => a - b);
  return all.filter((p, i) => i === 0 || !samePeriods([p], [all[i - 1]]));
}

/**
 * The default ensemble over periods it finds itself: a PeriodTracker watches the series, and when
 * the periods in use change the ensemble is rebuilt for them and replays the tracker's history, so
 * the seasonal members forecast at once instead of waiting another two cycles. A rebuild replays up
 * to two days of windows (about a second for a daily cycle); it happens only when a cycle appears or
 * goes, which the tracker's 3 % tolerance keeps rare.
 */
export class AutoSeasonalForecaster implements OnlineForecaster {
  readonly kind = 'auto-seasonal';
  private readonly tracker: PeriodTracker;
  private ensemble: EnsembleForecaster;
  private inUse: number[];

  constructor(
    readonly config: AutoSeasonalConfig,
    state?: { tracker: PeriodTrackerState; periods: number[]; ensemble: EnsembleForecaster },
  ) {
    this.tracker = new PeriodTracker(config.detector, state?.tracker);
    this.inUse = state?.periods ?? periodsInUse([], config.hints, 0);
    this.ensemble = state?.ensemble ?? createDefaultEnsemble(this.inUse, config.errors);
  }

  static fromJSON(
    json: ForecasterJSON<AutoSeasonalConfig, AutoSeasonalState>,
    restore: (member: ForecasterJSON) => OnlineForecaster,
  ): AutoSeasonalForecaster {
    const ensemble = restore(json.state.ensemble) as EnsembleForecaster;
    return new AutoSeasonalForecaster(json.config, {
      tracker: structuredClone(json.state.tracker),
      periods: [...json.state.periods],
      ensemble,
    });
  }

  /** Seasonal periods (steps) the forecast uses now, shortest first; empty when no cycle is known. */
  get periods(): number[] {
    return this.inUse;
  }

  /** The current ensemble's members, for per-model evaluation. */
  get members(): OnlineForecaster[] {
    return this.ensemble.members;
  }

  learn(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`${this.kind}: cannot learn ${value}`);
    this.tracker.push(value);
    const next = periodsInUse(this.tracker.periods, this.config.hints, this.tracker.length);
    if (samePeriods(next, this.inUse)) {
      this.ensemble.learn(value);
      return;
    }
    this.inUse = next;
    this.ensemble = createDefaultEnsemble(next, this.config.errors);
    for (const v of this.tracker.values()) this.ensemble.learn(v);
  }

  /**
   * The series broke (an outage longer than the caller fills with zeros): period detection starts
   * over on what follows, and configured hints apply again until two of their cycles follow (when
   * that changes the periods in use, the ensemble is rebuilt on the history after the break).
   */
  breakSeries(): void {
    this.tracker.restart();
  }

  forecast(h: number): ForecastPoint[] {
    return this.ensemble.forecast(h);
  }

  predict(h: number): number[] {
    return this.ensemble.predict(h);
  }

  recentMae(h: number): number {
    return this.ensemble.recentMae(h);
  }

  toJSON(): ForecasterJSON<AutoSeasonalConfig, AutoSeasonalState> {
    const ensemble = this.ensemble.toJSON();
    return {
      kind: this.kind,
      config: this.config,
      state: { tracker: this.tracker.toJSON(), periods: [...this.inUse], ensemble },
      errors: ensemble.errors,
    };
  }
}
