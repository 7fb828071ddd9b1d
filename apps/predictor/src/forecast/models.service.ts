import { Inject, Injectable } from '@nestjs/common';
import type { Forecast, WindowMetric } from '@smartscale/contracts';
import { PREDICTOR_CONFIG, PredictorConfig } from '../config/predictor.config';
import type { Publication } from './forecast-publisher.adapter';
import { createServiceModel, ServiceModel } from './service-model';

/**
 * Horizons published after every window. Capped because each published horizon costs a forecast
 * step per window per service, while the controller reads longer horizons on demand over HTTP.
 */
export const PUBLISHED_HORIZON_CAP = 12;

/**
 * What observe did with a window: learned it; ignored it as a repeat or an older window; or refused it,
 * dated ahead of the clock ('future') or of a new service while the models are at their cap ('model_cap').
 */
export type ObserveOutcome = 'learned' | 'repeated' | 'future' | 'model_cap';

interface Entry {
  model: ServiceModel;
  /** Wall clock of the last window learned: idle eviction counts from it, so a replay at start keeps every model. */
  lastSeenAt: number;
}

/**
 * Per-service model state, fed window by window in event-time order. Bounded: at most config.models.max
 * models, each evicted once idle (see PredictorConfig.models); the clock is passed in.
 */
@Injectable()
export class ModelsService {
  private readonly models = new Map<string, Entry>();

  constructor(@Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig) {}

  get size(): number {
    return this.models.size;
  }

  get publishedHorizon(): number {
    return Math.min(this.config.maxHorizon, PUBLISHED_HORIZON_CAP);
  }

  /** Windows are emitted at least once: a repeated or older window is ignored, so replays are harmless. */
  observe(metric: WindowMetric, now: number): ObserveOutcome {
    if (metric.windowEnd > now + this.config.models.maxWindowLeadMs) return 'future';
    let entry = this.models.get(metric.service);
    if (!entry) {
      if (this.models.size >= this.config.models.max) return 'model_cap';
      entry = { model: createServiceModel(this.config.windowMs, this.config.periods, this.config.maxPeriod), lastSeenAt: now };
      this.models.set(metric.service, entry);
    }
    if (!entry.model.observe(metric.windowEnd, metric.eventsPerSecond)) return 'repeated';
    entry.lastSeenAt = now;
    return 'learned';
  }

  /** Forgets the models that learned no window for config.models.idleMs; returns their services. */
  evictIdle(now: number): string[] {
    const evicted: string[] = [];
    for (const [service, entry] of this.models) {
      if (now - entry.lastSeenAt < this.config.models.idleMs) continue;
      this.models.delete(service);
      evicted.push(service);
    }
    return evicted;
  }

  has(service: string): boolean {
    return this.models.has(service);
  }

  services(): string[] {
    return [...this.models.keys()].sort();
  }

  forecast(service: string, horizon: number, now: number): Forecast | null {
    const model = this.models.get(service)?.model;
    if (!model || model.lastWindowEnd === null) return null;
    return {
      v: 1,
      service,
      model: model.name,
      windowMs: this.config.windowMs,
      basedOnWindowEnd: model.lastWindowEnd,
      generatedAt: now,
      points: model.forecast(horizon),
      anomalyScore: model.anomalyScore,
      seasonalPeriods: model.periods,
      intervalCoverage: model.intervalCoverage,
      historyWindows: model.historyWindows,
    };
  }

  /**
   * The forecast (horizons 1..publishedHorizon) and anomaly score after `windowEnd`, or null unless
   * it is the service's latest window. Asking again for the latest window is allowed on purpose: when
   * a send fails the message is redelivered, `observe` ignores it as a repeat, and this still answers.
   */
  publication(service: string, windowEnd: number, now: number): Publication | null {
    const model = this.models.get(service)?.model;
    if (!model || model.lastWindowEnd !== windowEnd || now - windowEnd > this.config.publishMaxAgeMs) return null;
    const forecast = this.forecast(service, this.publishedHorizon, now) as Forecast;
    return {
      forecast,
      anomaly: { v: 1, service, windowEnd, eventsPerSecond: model.lastValue, score: model.anomalyScore, generatedAt: now },
    };
  }
}
