import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@smartscale/ops';
import { EventsModule } from '../events/events.module';
import { OtlpHttpSetup } from './otlp-http';
import { OtlpMetrics } from './otlp-metrics';
import { OtlpController } from './otlp.controller';
import { OtlpService } from './otlp.service';

/**
 * The OpenTelemetry receiver: OTLP/HTTP traces and metrics mapped onto the events pipeline. It imports
 * EventsModule for the one way events are stored (EventsService and its sink) and for the keys and rate
 * limit they share with POST /v1/events.
 */
@Module({
  imports: [EventsModule],
  controllers: [OtlpController],
  providers: [
    OtlpService,
    OtlpHttpSetup,
    { provide: OtlpMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new OtlpMetrics(r) },
  ],
})
export class OtlpModule {}
