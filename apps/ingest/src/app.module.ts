import { DynamicModule, Module } from '@nestjs/common';
import { KafkaModule } from '@smartscale/kafka';
import { configModule, OpsModule } from '@smartscale/ops';
import { INGEST_CONFIG, IngestConfig } from './config/ingest.config';
import { EventsModule } from './events/events.module';
import { BrokerReadiness } from './events/kafka-readiness';
import { OtlpModule } from './otlp/otlp.module';

/** Only composes (CONVENTIONS §1). */
@Module({})
export class AppModule {
  static forConfig(config: IngestConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule(INGEST_CONFIG, config),
        KafkaModule.forRoot(config.kafka),
        OpsModule.forRoot({ app: 'ingest', readiness: [BrokerReadiness], imports: [EventsModule] }),
        EventsModule,
        OtlpModule,
      ],
    };
  }
}
