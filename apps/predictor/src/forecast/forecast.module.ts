import { Module } from '@nestjs/common';
import { ForecastController } from './forecast.controller';
import { MetricsConsumer } from './metrics.consumer';
import { ModelsService } from './models.service';

@Module({ controllers: [ForecastController], providers: [ModelsService, MetricsConsumer], exports: [MetricsConsumer] })
export class ForecastModule {}
