import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@smartscale/ops';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeys } from './api-keys';
import { CLOCK } from './clock';
import { EVENT_SINK, KafkaEventSink } from './event-sink.adapter';
import { EventsController } from './events.controller';
import { EventsService } from './events.service';
import { InflightBudget } from './inflight-budget';
import { IngestHttpSetup } from './ingest-http';
import { IngestMetrics } from './ingest-metrics';
import { BrokerReadiness } from './kafka-readiness';
import { RateLimiter } from './rate-limiter';
import { ServiceCap } from './service-cap';

/** The HTTP intake's own providers; the module adds the sink, clock, metrics and readiness that specs replace. */
export const EVENTS_HTTP_PROVIDERS = [EventsService, ApiKeyGuard, ApiKeys, RateLimiter, ServiceCap, InflightBudget, IngestHttpSetup];

@Module({
  controllers: [EventsController],
  providers: [
    ...EVENTS_HTTP_PROVIDERS,
    BrokerReadiness,
    { provide: EVENT_SINK, useClass: KafkaEventSink },
    { provide: CLOCK, useValue: () => Date.now() },
    { provide: IngestMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new IngestMetrics(r) },
  ],
  // The OTLP receiver (../otlp) stores through the same service, keys, rate limiter and metrics.
  exports: [EVENT_SINK, BrokerReadiness, EventsService, ApiKeys, RateLimiter, IngestMetrics],
})
export class EventsModule {}
