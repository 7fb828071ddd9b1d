import { DynamicModule, Module } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { KafkaModule } from '@smartscale/kafka';
import { configModule, OpsModule } from '@smartscale/ops';
import { AGGREGATOR_CONFIG, AggregatorConfig } from './config/aggregator.config';
import { WindowsModule } from './windows/windows.module';

/** Only composes (CONVENTIONS §1). */
@Module({})
export class AppModule {
  /** `kafka`: the client main.ts built for the events transport, shared with the app; one of its own otherwise. */
  static forConfig(config: AggregatorConfig, kafka?: Kafka): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule(AGGREGATOR_CONFIG, config),
        KafkaModule.forRoot(kafka ?? config.kafka),
        OpsModule.forRoot({ app: 'aggregator', readiness: [] }),
        WindowsModule,
      ],
    };
  }
}
