import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { TOPICS } from '@smartscale/contracts';
import { InjectKafka } from '@smartscale/kafka';
import { decodeCheckpoint } from '@smartscale/windowing';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

interface PartitionOffsets {
  partition: number;
  /** high watermark */
  high: string;
  /** first offset still in the log */
  start: string;
  /** the group's committed offset (-1 when none) and its metadata */
  committed?: { offset: string; metadata: string | null };
}

/**
 * Events the consumers have not read yet, summed over partitions: high watermark minus the position,
 * in records, times the events per record the aggregator recorded (ingest packs a service's events).
 * The position is the one the aggregator writes in its commit's checkpoint when there is one (its
 * committed offset stays at the oldest open window for replay, so it would count the open windows'
 * records as lag at any steady load), else the committed offset. A partition the group never
 * committed counts from its start.
 */
export function pendingEvents(partitions: PartitionOffsets[]): number {
  return partitions.reduce((sum, p) => {
    const committed = p.committed && Number(p.committed.offset) >= 0 ? Number(p.committed.offset) : null;
    let position = committed ?? Number(p.start);
    let perRecord = 1;
    if (committed !== null) {
      try {
        const checkpoint = decodeCheckpoint(p.committed?.metadata);
        if (checkpoint?.position !== undefined) position = Math.max(committed, Number(checkpoint.position));
        perRecord = checkpoint?.eventsPerRecord ?? 1;
      } catch {
        // metadata this code did not write: the committed offset is all there is
      }
    }
    return sum + Math.round(Math.max(0, Number(p.high) - position) * perRecord);
  }, 0);
}

/** The lag of the aggregator group on the events topic (`pendingEvents`), read over the admin API. */
@Injectable()
export class GroupLagProbe implements OnApplicationShutdown {
  private readonly admin: Admin;
  private connected: Promise<void> | null = null;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @InjectKafka() kafka: Kafka,
  ) {
    this.admin = kafka.admin();
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
    const startOf = new Map(starts.map((p) => [p.partition, p.offset]));
    const committedOf = new Map(committed.partitions.map((p) => [p.partition, { offset: p.offset, metadata: p.metadata }]));
    return pendingEvents(
      ends.map((p) => ({
        partition: p.partition,
        high: p.high,
        start: startOf.get(p.partition) ?? '0',
        committed: committedOf.get(p.partition),
      })),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}
