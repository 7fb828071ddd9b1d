import type { Forecast } from '@smartscale/contracts';
import type { RecordedForecast } from './console.types';

/** A day of 10 s windows per service; older one-step forecasts are dropped first. */
export const FORECASTS_KEPT = 8_640;

/**
 * One-step-ahead forecasts per service, in memory. The predictor answers only for the future and the
 * SQL history keeps windows and decisions, not forecasts, so the band drawn over past windows is the
 * one recorded here while this worker ran.
 */
export class ForecastHistory {
  private readonly byService = new Map<string, RecordedForecast[]>();
  private readonly latest = new Map<string, Forecast>();

  constructor(private readonly capacity = FORECASTS_KEPT) {}

  /** Keeps the forecast as the newest, and its first point unless that window is already recorded. */
  add(f: Forecast): void {
    this.latest.set(f.service, f);
    const first = f.points[0];
    if (!first) return;
    const list = this.byService.get(f.service) ?? [];
    const last = list[list.length - 1];
    if (last && last.windowEnd >= first.windowEnd) return;
    list.push({ ...first, anomalyScore: f.anomalyScore });
    if (list.length > this.capacity) list.splice(0, list.length - this.capacity);
    this.byService.set(f.service, list);
  }

  latestFor(service: string): Forecast | null {
    return this.latest.get(service) ?? null;
  }

  /** Recorded points with from ≤ windowEnd < to, oldest first. */
  between(service: string, from: number, to: number): RecordedForecast[] {
    return (this.byService.get(service) ?? []).filter((p) => p.windowEnd >= from && p.windowEnd < to);
  }
}
