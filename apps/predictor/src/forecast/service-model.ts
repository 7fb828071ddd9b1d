import type { ForecastPoint } from '@smartscale/contracts';

/** The model state of one service: its series of window rates and what it forecasts from them. */
export interface ServiceModel {
  readonly name: string;
  readonly lastWindowEnd: number | null;
  readonly anomalyScore: number;
  observe(windowEnd: number, eventsPerSecond: number): boolean;
  forecast(horizon: number): ForecastPoint[];
}

export function createServiceModel(windowMs: number): ServiceModel {
  return new NaiveServiceModel(windowMs);
}

/** Last value with an interval from the recent absolute changes: the walking skeleton's model. */
class NaiveServiceModel implements ServiceModel {
  readonly name = 'naive';
  lastWindowEnd: number | null = null;
  anomalyScore = 0;
  private last = 0;
  private absChange = 0;

  constructor(private readonly windowMs: number) {}

  observe(windowEnd: number, eps: number): boolean {
    if (this.lastWindowEnd !== null && windowEnd <= this.lastWindowEnd) return false;
    if (this.lastWindowEnd !== null) this.absChange = 0.8 * this.absChange + 0.2 * Math.abs(eps - this.last);
    this.last = eps;
    this.lastWindowEnd = windowEnd;
    return true;
  }

  forecast(horizon: number): ForecastPoint[] {
    const end = this.lastWindowEnd ?? 0;
    return Array.from({ length: horizon }, (_, i) => {
      const spread = 1.28 * this.absChange * Math.sqrt(i + 1);
      return { windowEnd: end + (i + 1) * this.windowMs, eventsPerSecond: this.last, lower: Math.max(0, this.last - spread), upper: this.last + spread };
    });
  }
}
