import type { ForecastPoint } from '@smartscale/contracts';
import { AnomalyDetector, AutoSeasonalForecaster, autoSeasonalConfig } from '@smartscale/forecasting';

/** The model state of one service: its series of window rates and what it forecasts from them. */
export interface ServiceModel {
  readonly name: string;
  readonly lastWindowEnd: number | null;
  /** events/s of the last observed window (NaN before the first) */
  readonly lastValue: number;
  /** score of the last observed window */
  readonly anomalyScore: number;
  /** Seasonal periods in use, in windows, shortest first (found in the data or still-undecided hints). */
  readonly periods: number[];
  /** Nominal coverage of the [lower, upper] interval of every point. */
  readonly intervalCoverage: number;
  /**
   * Windows learned since the model was created or its series last broke (an outage longer than the
   * gap it fills): what the forecast stands on. A filled gap counts, as it is learned: no window means
   * no event at all, a zero window.
   */
  readonly historyWindows: number;
  observe(windowEnd: number, eventsPerSecond: number): boolean;
  forecast(horizon: number): ForecastPoint[];
}

/**
 * Seasonal periods are given in windows, because only the caller knows the window size: `hints` are
 * the configured ones, `maxPeriod` the longest the model looks for in the data.
 */
export function createServiceModel(windowMs: number, hints: number[], maxPeriod = 8640): ServiceModel {
  return new EnsembleServiceModel(windowMs, new AutoSeasonalForecaster(autoSeasonalConfig(hints, maxPeriod)), new AnomalyDetector());
}

/**
 * The library's online ensemble over the periods it finds itself, and the anomaly detector, fed one
 * window at a time. A missing window
 * (no event at all, not even a zero window) is learned as 0 so that the seasonal positions stay aligned.
 */
class EnsembleServiceModel implements ServiceModel {
  lastWindowEnd: number | null = null;
  lastValue = NaN;
  anomalyScore = 0;
  historyWindows = 0;

  constructor(
    private readonly windowMs: number,
    private readonly forecaster: AutoSeasonalForecaster,
    private readonly detector: AnomalyDetector,
  ) {}

  get name(): string {
    return this.forecaster.kind;
  }

  get periods(): number[] {
    return this.forecaster.periods;
  }

  get intervalCoverage(): number {
    return this.forecaster.config.errors.coverage;
  }

  observe(windowEnd: number, eps: number): boolean {
    if (this.lastWindowEnd !== null && windowEnd <= this.lastWindowEnd) return false;
    const missing = this.lastWindowEnd === null ? 0 : Math.round((windowEnd - this.lastWindowEnd) / this.windowMs) - 1;
    const broken = missing > MAX_GAP_FILL;
    if (broken) this.forecaster.breakSeries();
    const gap = Math.min(missing, MAX_GAP_FILL);
    for (let i = 0; i < gap; i++) this.learn(0, windowEnd - (gap - i) * this.windowMs);
    // After a break the history is what follows it, not the zeros that bridge the outage.
    if (broken) this.historyWindows = 0;
    this.learn(eps, windowEnd);
    this.lastWindowEnd = windowEnd;
    this.lastValue = eps;
    return true;
  }

  forecast(horizon: number): ForecastPoint[] {
    const end = this.lastWindowEnd ?? 0;
    return this.forecaster.forecast(horizon).map((p, i) => ({
      windowEnd: end + (i + 1) * this.windowMs,
      eventsPerSecond: Math.max(0, p.point),
      lower: Math.max(0, p.lower),
      upper: Math.max(0, p.upper),
    }));
  }

  private learn(eps: number, windowEnd: number): void {
    this.forecaster.learn(eps);
    this.historyWindows++;
    this.anomalyScore = this.detector.score(eps, windowEnd);
  }
}

/**
 * A longer outage is not replayed window by window: the series simply resumes, and the search for
 * its periods starts over (a restart's replay of old windows, hours before, must not hide a cycle).
 */
const MAX_GAP_FILL = 360;
