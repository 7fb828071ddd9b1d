import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@smartscale/ops';
import { AggregatorMetrics } from './aggregator-metrics';
import { WindowsConsumer } from './windows.consumer';
import { WindowsService } from './windows.service';

@Module({
  providers: [WindowsService, WindowsConsumer, { provide: AggregatorMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new AggregatorMetrics(r) }],
})
export class WindowsModule {}
