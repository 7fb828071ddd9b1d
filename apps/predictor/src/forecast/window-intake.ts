import type { WindowMetric } from '@smartscale/contracts';
import type { PredictorConfig } from '../config/predictor.config';
import type { ModelsService } from './models.service';
import type { PredictorMetrics } from './predictor-metrics';

/**
 * What the predictor does with each window it reads, apart from publishing: evict idle models (at most
 * once a second), learn the window or count why not, and keep the per-service series to the models
 * held. Apart from the consumer so that a test can feed it windows read from a real aggregator; the
 * clock is passed in.
 */
export class WindowIntake {
  private lastSweep = -Infinity;

  constructor(
    private readonly models: ModelsService,
    private readonly metrics: PredictorMetrics,
  ) {}

  /** How often a timer should sweep when no window arrives at all. */
  static sweepEveryMs(config: PredictorConfig): number {
    return Math.max(1_000, Math.min(60_000, Math.round(config.models.idleMs / 4)));
  }

  take(metric: WindowMetric, now: number): void {
    if (now - this.lastSweep >= 1_000) this.sweep(now);
    const outcome = this.models.observe(metric, now);
    if (outcome === 'learned') this.metrics.windowObserved(metric);
    else if (outcome !== 'repeated') this.metrics.refused.inc({ reason: outcome });
    this.metrics.models.set(this.models.size);
  }

  sweep(now: number): void {
    this.lastSweep = now;
    for (const service of this.models.evictIdle(now)) this.metrics.serviceEvicted(service);
    this.metrics.models.set(this.models.size);
  }
}
