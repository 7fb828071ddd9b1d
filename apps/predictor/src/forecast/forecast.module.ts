import { Module } from '@nestjs/common';
import { ForecastController } from './forecast.controller';
import { FORECAST_PUBLISHER, KafkaForecastPublisher } from './forecast-publisher.adapter';
import { MetricsConsumer } from './metrics.consumer';
import { ModelsService } from './models.service';

@Module({
  controllers: [ForecastController],
  providers: [ModelsService, MetricsConsumer, { provide: FORECAST_PUBLISHER, useClass: KafkaForecastPublisher }],
  exports: [MetricsConsumer],
})
export class ForecastModule {}
