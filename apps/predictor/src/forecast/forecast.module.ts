import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@smartscale/ops';
import { ForecastController } from './forecast.controller';
import { FORECAST_PUBLISHER, KafkaForecastPublisher } from './forecast-publisher.adapter';
import { MetricsConsumer } from './metrics.consumer';
import { ModelsService } from './models.service';
import { PredictorMetrics } from './predictor-metrics';

@Module({
  controllers: [ForecastController],
  providers: [
    ModelsService,
    MetricsConsumer,
    { provide: FORECAST_PUBLISHER, useClass: KafkaForecastPublisher },
    { provide: PredictorMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new PredictorMetrics(r) },
  ],
  exports: [MetricsConsumer],
})
export class ForecastModule {}
