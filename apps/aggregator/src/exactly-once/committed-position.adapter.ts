import { Inject, Injectable, InjectionToken, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { ensureTopics, InjectKafka, withAdmin } from '@smartscale/kafka';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';
import type { CommittedPosition } from './transactional-output.adapter';

/** The consumer group's committed offset of an events partition, with the window checkpoint stored beside it. */
export interface CommittedPositions {
  read(partition: number): Promise<CommittedPosition>;
}
export const COMMITTED_POSITIONS: InjectionToken<CommittedPositions> = Symbol('COMMITTED_POSITIONS');

/**
 * Reads the group's committed offsets with one admin client, connected at boot. Boot also creates the
 * project's missing topics: Nest runs it before the events transport starts consuming.
 */
@Injectable()
export class GroupOffsetsAdapter implements CommittedPositions, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly admin: Admin;

  constructor(
    @InjectKafka() private readonly kafka: Kafka,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
  ) {
    this.admin = kafka.admin();
  }

  async onApplicationBootstrap(): Promise<void> {
    await withAdmin(this.kafka, (admin) => ensureTopics(admin));
    await this.admin.connect();
  }

  async read(partition: number): Promise<CommittedPosition> {
    const [topic] = await this.admin.fetchOffsets({ groupId: this.config.kafka.groupId, topics: [this.config.topics.events] });
    const found = topic?.partitions.find((x) => x.partition === partition);
    return { offset: found && found.offset !== '-1' ? found.offset : null, metadata: found?.metadata ?? null };
  }

  /** After the transport has drained and left the group (Nest closes transports before this hook). */
  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}
