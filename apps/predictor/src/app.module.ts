import { DynamicModule, Module } from '@nestjs/common';
import { KafkaModule } from '@smartscale/kafka';
import { configModule, OpsModule } from '@smartscale/ops';
import { PREDICTOR_CONFIG, PredictorConfig } from './config/predictor.config';
import { ForecastModule } from './forecast/forecast.module';
import { MetricsConsumer } from './forecast/metrics.consumer';

@Module({})
export class AppModule {
  static forConfig(config: PredictorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule(PREDICTOR_CONFIG, config),
        KafkaModule.forRoot(config.kafka),
        OpsModule.forRoot({ app: 'predictor', readiness: [MetricsConsumer], imports: [ForecastModule] }),
        ForecastModule,
      ],
    };
  }
}
