import { Module } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { KAFKA } from '@smartscale/kafka';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';
import { AggregatorMetrics } from '../metrics/aggregator-metrics';
import { AggregatorMetricsModule } from '../metrics/aggregator-metrics.module';
import { BATCH_RECORDS, BatchMetricsPublisher, kafkaBatchMetricsSink } from './batch-metrics.adapter';
import { BatchTuner } from './batch-tuner';

/**
 * Micro-batching (docs/design/micro-batching.md): the batch settings in force (fixed, or tuned by the
 * commit pacer) and the record of every committed batch. One tuner per process: the cost it tunes, a
 * transaction, is paid per process.
 */
@Module({
  imports: [AggregatorMetricsModule],
  providers: [
    {
      provide: BatchTuner,
      inject: [AGGREGATOR_CONFIG, AggregatorMetrics],
      useFactory: (config: AggregatorConfig, metrics: AggregatorMetrics) => new BatchTuner(config.batching, metrics),
    },
    {
      provide: BATCH_RECORDS,
      inject: [KAFKA, AGGREGATOR_CONFIG, AggregatorMetrics],
      useFactory: (kafka: Kafka, config: AggregatorConfig, metrics: AggregatorMetrics) =>
        config.batching.record
          ? new BatchMetricsPublisher(kafkaBatchMetricsSink(kafka, config.topics.batches), (n) => metrics.batchRecordsDropped.inc(n))
          : null,
    },
  ],
  exports: [BatchTuner, BATCH_RECORDS],
})
export class BatchingModule {}
