import { Inject, Injectable } from '@nestjs/common';
import type { Forecast, WindowMetric } from '@smartscale/contracts';
import { PREDICTOR_CONFIG, PredictorConfig } from '../config/predictor.config';
import { createServiceModel, ServiceModel } from './service-model';

/** Per-service model state, fed window by window in event-time order. */
@Injectable()
export class ModelsService {
  private readonly models = new Map<string, ServiceModel>();

  constructor(@Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig) {}

  /** Windows are emitted at least once: a repeated or older window is ignored, so replays are harmless. */
  observe(metric: WindowMetric): boolean {
    let model = this.models.get(metric.service);
    if (!model) {
      model = createServiceModel(this.config.windowMs, this.config.periods);
      this.models.set(metric.service, model);
    }
    return model.observe(metric.windowEnd, metric.eventsPerSecond);
  }

  services(): string[] {
    return [...this.models.keys()].sort();
  }

  forecast(service: string, horizon: number, now: number): Forecast | null {
    const model = this.models.get(service);
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
    };
  }
}
