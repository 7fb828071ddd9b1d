import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@smartscale/ops';
import { AggregatorMetrics } from './aggregator-metrics';

/** The aggregator's one set of Prometheus series, shared by the windows and the batching contexts (registered once). */
@Module({
  providers: [{ provide: AggregatorMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new AggregatorMetrics(r) }],
  exports: [AggregatorMetrics],
})
export class AggregatorMetricsModule {}
