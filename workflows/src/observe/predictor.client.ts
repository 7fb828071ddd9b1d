import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ForecastSummary, summarizeForecast } from '@smartscale/policy';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

const TIMEOUT_MS = 2_000;

/**
 * The part of the predictor's answer decide() reads. Checked, because an empty or non-numeric forecast
 * (a predictor bug, a proxy's error page with status 200) would otherwise plan for -Infinity or NaN
 * events/s; a refused answer is a forecast error, and the decision falls back to the observed load.
 */
const ForecastAnswer = z.object({
  basedOnWindowEnd: z.number(),
  anomalyScore: z.number().min(0),
  points: z.array(z.object({ eventsPerSecond: z.number().min(0), upper: z.number().min(0) })).min(1, 'no points'),
  windowMs: z.number().positive().optional(),
  seasonalPeriods: z.array(z.number().positive()).optional(),
  intervalCoverage: z.number().gt(0).lt(1).optional(),
  historyWindows: z.number().int().min(0).optional(),
});

/** The predictor's HTTP API, reduced to what decide() needs: the peak of the horizon. */
@Injectable()
export class PredictorClient {
  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {}

  async forecast(service: string, horizon: number): Promise<ForecastSummary> {
    const url = `${this.config.predictorUrl}/v1/forecast/${encodeURIComponent(service)}?horizon=${horizon}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`predictor answered HTTP ${res.status} for ${service}`);
    const parsed = ForecastAnswer.safeParse(await res.json().catch(() => null));
    if (!parsed.success)
      throw new Error(
        `predictor answered an invalid forecast for ${service}: ${parsed.error.issues
          .map((i) => `${i.path.join('.')} ${i.message}`)
          .join('; ')
          .slice(0, 200)}`,
      );
    return summarizeForecast(parsed.data);
  }
}
