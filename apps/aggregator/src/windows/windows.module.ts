import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@smartscale/ops';
import { AggregatorMetrics } from './aggregator-metrics';
import { WindowsConsumer } from './windows.consumer';
import { WindowsController } from './windows.controller';
import { WindowsService } from './windows.service';

/** Consumes through the events transport (EventsBatchServer), which main.ts connects: the controller takes its messages. */
@Module({
  controllers: [WindowsController],
  providers: [WindowsService, WindowsConsumer, { provide: AggregatorMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new AggregatorMetrics(r) }],
})
export class WindowsModule {}
