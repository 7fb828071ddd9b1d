import { Inject, Injectable } from '@nestjs/common';
import type { Forecast } from '@smartscale/contracts';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

const TIMEOUT_MS = 2_000;

/**
 * The predictor as the console needs it: whole forecasts with their bands (PredictorClient reduces
 * them to a peak for decide()) and whether it answers at all.
 */
@Injectable()
export class PredictorHttpAdapter {
  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {}

  async forecast(service: string, horizon: number): Promise<Forecast | null> {
    const res = await fetch(`${this.config.predictorUrl}/v1/forecast/${encodeURIComponent(service)}?horizon=${horizon}`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status === 404) return null; // no window of this service seen yet
    if (!res.ok) throw new Error(`predictor answered HTTP ${res.status} for ${service}`);
    return (await res.json()) as Forecast;
  }

  /** Any answer of its /health counts: the predictor serves forecasts from memory even while its broker is away. */
  async reachable(): Promise<boolean> {
    try {
      await fetch(`${this.config.predictorUrl}/health`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      return true;
    } catch {
      return false;
    }
  }
}
