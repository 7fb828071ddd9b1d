import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin } from 'kafkajs';
import { TOPICS } from '@smartscale/contracts';
import { createKafka } from '@smartscale/kafka';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

/**
 * Events the aggregator group has not consumed yet: high watermark minus committed offset, summed
 * over the events topic's partitions. A partition the group never committed counts from its start.
 */
@Injectable()
export class GroupLagProbe implements OnApplicationShutdown {
  private readonly admin: Admin;
  private connected: Promise<void> | null = null;

  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {
    this.admin = createKafka(config.kafka).admin();
  }

  async pendingEvents(): Promise<number> {
    this.connected ??= this.admin.connect().catch((err: unknown) => {
      this.connected = null;
      throw err;
    });
    await this.connected;
    const [ends, starts, [committed]] = await Promise.all([
      this.admin.fetchTopicOffsets(TOPICS.events),
      this.admin.fetchTopicOffsetsByTimestamp(TOPICS.events, 0),
      this.admin.fetchOffsets({ groupId: this.config.kafka.aggregatorGroup, topics: [TOPICS.events] }),
    ]);
    const startOf = new Map(starts.map((p) => [p.partition, Number(p.offset)]));
    const committedOf = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((sum, p) => {
      const c = committedOf.get(p.partition) ?? -1;
      const from = c >= 0 ? c : (startOf.get(p.partition) ?? 0);
      return sum + Math.max(0, Number(p.high) - from);
    }, 0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}
