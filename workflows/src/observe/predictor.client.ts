import { Inject, Injectable } from '@nestjs/common';
import type { Forecast } from '@smartscale/contracts';
import type { ForecastSummary } from '@smartscale/policy';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

const TIMEOUT_MS = 2_000;

/** The predictor's HTTP API, reduced to what decide() needs: the peak of the horizon. */
@Injectable()
export class PredictorClient {
  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {}

  async forecast(service: string, horizon: number): Promise<ForecastSummary> {
    const url = `${this.config.predictorUrl}/v1/forecast/${encodeURIComponent(service)}?horizon=${horizon}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`predictor answered HTTP ${res.status} for ${service}`);
    const f = (await res.json()) as Forecast;
    return {
      peakEventsPerSecond: Math.max(...f.points.map((p) => p.eventsPerSecond)),
      upperPeakEventsPerSecond: Math.max(...f.points.map((p) => p.upper)),
      basedOnWindowEnd: f.basedOnWindowEnd,
      anomalyScore: f.anomalyScore,
      ...(f.seasonalPeriods ? { seasonalPeriodsMs: f.seasonalPeriods.map((p) => p * f.windowMs) } : {}),
      ...(f.intervalCoverage !== undefined ? { intervalCoverage: f.intervalCoverage } : {}),
    };
  }
}
