import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { EVENT_SINK, KafkaEventSink } from './event-sink.adapter';
import { EventsController } from './events.controller';
import { CLOCK, EventsService } from './events.service';
import { METRICS_REGISTRY } from '@smartscale/ops';
import { IngestMetrics } from './ingest-metrics';
import { BrokerReadiness } from './kafka-readiness';

@Module({
  controllers: [EventsController],
  providers: [
    EventsService,
    BrokerReadiness,
    { provide: EVENT_SINK, useClass: KafkaEventSink },
    { provide: CLOCK, useValue: () => Date.now() },
    { provide: IngestMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new IngestMetrics(r) },
  ],
  exports: [EVENT_SINK, BrokerReadiness],
})
export class EventsModule {}
