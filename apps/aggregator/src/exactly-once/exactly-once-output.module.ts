import { Module } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { KAFKA } from '@smartscale/kafka';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';
import { COMMITTED_POSITIONS, GroupOffsetsAdapter } from './committed-position.adapter';
import { EXACTLY_ONCE_OUTPUT, TransactionalOutput } from './transactional-output.adapter';

/**
 * Exactly-once output (docs/design/exactly-once.md): per events partition, a transactional producer
 * that fences the previous owner, and the committed position (offset and window checkpoint) to replay from.
 */
@Module({
  providers: [
    {
      provide: EXACTLY_ONCE_OUTPUT,
      inject: [KAFKA, AGGREGATOR_CONFIG],
      useFactory: (kafka: Kafka, config: AggregatorConfig) => new TransactionalOutput(kafka, config.topics, config.kafka.groupId),
    },
    { provide: COMMITTED_POSITIONS, useClass: GroupOffsetsAdapter },
  ],
  exports: [EXACTLY_ONCE_OUTPUT, COMMITTED_POSITIONS],
})
export class ExactlyOnceOutputModule {}
