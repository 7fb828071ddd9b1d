import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { createKafka, ensureTopics, withAdmin } from '@smartscale/kafka';
import { decodeCheckpoint } from '@smartscale/windowing';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';
import { AggregatorMetrics } from './aggregator-metrics';
import { CommittedPosition, isFenced, TransactionalOutput } from './transactional-output.adapter';
import { StepOutput, WindowsService } from './windows.service';

/** How often idle partitions are checked so that their last windows close, and pending steps are committed. */
const TICK_MS = 100;
/**
 * Steps of a partition are merged and committed in one transaction at most this often (Kafka Streams'
 * commit.interval.ms under exactly-once is 100 ms too): a transaction costs about five round trips
 * and transaction markers, so one per fetched batch capped throughput. Adds at most this much to the
 * time a closed window takes to become visible.
 */
const COMMIT_INTERVAL_MS = 100;

/**
 * Kafka side of the aggregator: one consumer-group member. Each batch (and each idle tick) of a
 * partition commits in one transaction its closed windows, its dead letters, and the offset of the
 * oldest open window with the window checkpoint as metadata; see TransactionalOutput for fencing.
 * A newly assigned partition is claimed (fence, then read the committed position) before its first
 * batch, and replays from that offset: open windows are rebuilt, emitted ones are not emitted again.
 */
@Injectable()
export class WindowsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WindowsConsumer.name);
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly output: TransactionalOutput;
  /** Per claimed partition, the committed offset: records below it belong to windows already emitted. */
  private readonly floors = new Map<number, bigint>();
  /** Partitions whose transaction failed: the next batch claims them again and rewinds to the committed offset. */
  private readonly rewind = new Set<number>();
  /** Partitions whose producer was fenced by a newer owner: paused until the next assignment. */
  private readonly fenced = new Set<number>();
  /** Per partition, the steps processed since its last commit, merged, and when the first of them ran. */
  private readonly pending = new Map<number, { out: StepOutput; since: number }>();
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly windows: WindowsService,
    private readonly metrics: AggregatorMetrics,
  ) {
    this.kafka = createKafka(config.kafka);
    this.consumer = this.kafka.consumer({ groupId: config.kafka.groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.admin = this.kafka.admin();
    this.output = new TransactionalOutput(this.kafka, config.topics, config.kafka.groupId);
  }

  async onApplicationBootstrap(): Promise<void> {
    await withAdmin(this.kafka, (admin) => ensureTopics(admin));
    await this.admin.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(payload.memberAssignment[this.config.topics.events] ?? []);
      this.logger.log(`${this.config.kafka.clientId} assigned partitions [${[...assigned].join(', ')}]`);
      void this.serialize(() => this.onAssigned(assigned));
    });
    await this.consumer.subscribe({ topic: this.config.topics.events, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.serialize(() => this.onBatch(payload)) });
    this.timer = setInterval(() => void this.serialize(() => this.onTick()), TICK_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.queue;
    await this.serialize(() => this.commitPending(0));
    // Open windows stay open: the committed offset points at the oldest one, so the next owner replays them.
    await this.consumer.disconnect();
    await this.output.close();
    await this.admin.disconnect();
  }

  /**
   * After every rebalance kafkajs restarts each assigned partition from its committed offset (a new
   * offset manager per generation), kept partitions included. So all in-memory state is dropped and
   * rebuilt by replay on the next batch (claim: fence, read the checkpoint), and steps not yet
   * committed are dropped, never committed from an old generation.
   */
  private async onAssigned(assigned: Set<number>): Promise<void> {
    this.pending.clear();
    this.windows.retain(new Set());
    this.floors.clear();
    this.rewind.clear(); // the new generation starts from the committed offsets anyway
    await this.output.close();
    if (this.fenced.size > 0) {
      const stillOurs = [...this.fenced].filter((p) => assigned.has(p));
      if (stillOurs.length > 0) this.consumer.resume([{ topic: this.config.topics.events, partitions: stillOurs }]);
      this.fenced.clear();
    }
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    if (this.fenced.has(p) || isStale()) return;
    if (!this.windows.has(p) || !this.output.owns(p)) await this.claim(p);
    const floor = this.floors.get(p) ?? 0n;
    if (this.rewind.delete(p)) {
      // The aborted steps are gone from memory: replay from the committed offset (this batch starts later).
      this.consumer.seek({ topic: this.config.topics.events, partition: p, offset: floor.toString() });
      return;
    }
    const records = batch.messages
      .filter((m) => BigInt(m.offset) >= floor)
      .map((m) => ({ partition: p, offset: m.offset, key: m.key?.toString() ?? null, value: m.value }));
    const out = this.windows.ingest(p, records, batch.highWatermark, Date.now());
    this.metrics.lag.set({ partition: String(p) }, Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1));
    this.defer(out);
    // The position moves on now; if the deferred commit fails, the next batch rewinds to the committed offset.
    resolveOffset(batch.lastOffset());
    const since = this.pending.get(p)?.since ?? Infinity;
    if (Date.now() - since >= COMMIT_INTERVAL_MS) await this.commitPending(0, p);
    await heartbeat();
  }

  private async onTick(): Promise<void> {
    for (const out of this.windows.tick(Date.now())) if (this.output.owns(out.partition)) this.defer(out);
    await this.commitPending(COMMIT_INTERVAL_MS);
  }

  private defer(out: StepOutput): void {
    const entry = this.pending.get(out.partition);
    if (!entry) {
      this.pending.set(out.partition, { out, since: Date.now() });
      return;
    }
    entry.out.metrics.push(...out.metrics);
    entry.out.deadLetters.push(...out.deadLetters);
    entry.out.commit = out.commit ?? entry.out.commit;
    entry.out.late += out.late;
  }

  /** Commits the pending steps that are at least minAgeMs old (of one partition, or all). */
  private async commitPending(minAgeMs: number, only?: number): Promise<void> {
    for (const [p, { out, since }] of [...this.pending]) {
      if ((only !== undefined && p !== only) || Date.now() - since < minAgeMs) continue;
      this.pending.delete(p);
      await this.commit(out);
    }
  }

  private async claim(p: number): Promise<void> {
    const position = await this.output.claim(p, () => this.readCommitted(p));
    this.windows.resume(p, decodeCheckpoint(position.metadata), Date.now());
    this.floors.set(p, position.offset === null ? 0n : BigInt(position.offset));
    this.logger.log(`claimed partition ${p} at offset ${position.offset ?? 'earliest'} (${position.metadata ?? 'no checkpoint'})`);
  }

  /**
   * Commits one step; on failure forgets the partition's state (the aborted windows are no longer in
   * memory), so that the next batch claims the partition again and rewinds to the committed offset.
   */
  private async commit(out: StepOutput): Promise<boolean> {
    const p = out.partition;
    try {
      await this.output.commit(out);
    } catch (err) {
      this.metrics.aborted.inc();
      this.pending.delete(p);
      this.windows.forget(p);
      this.floors.delete(p);
      await this.output.release(p);
      if (isFenced(err)) {
        this.logger.warn(`partition ${p}: fenced by a newer owner, pausing it until the next assignment`);
        this.fenced.add(p);
        this.consumer.pause([{ topic: this.config.topics.events, partitions: [p] }]);
        return false;
      }
      this.logger.error(`partition ${p}: transaction aborted, replaying from the committed offset: ${(err as Error).message}`);
      this.rewind.add(p);
      return false;
    }
    this.metrics.committed(out.metrics, out.late, out.deadLetters.length, Date.now());
    for (const d of out.deadLetters) this.logger.warn(`dead letter ${this.config.topics.events}/${p}@${d.record.offset} key=${d.record.key}: ${d.error}`);
    return true;
  }

  private async readCommitted(p: number): Promise<CommittedPosition> {
    const [topic] = await this.admin.fetchOffsets({ groupId: this.config.kafka.groupId, topics: [this.config.topics.events] });
    const found = topic?.partitions.find((x) => x.partition === p);
    return { offset: found && found.offset !== '-1' ? found.offset : null, metadata: found?.metadata ?? null };
  }

  /** Batches, rebalances and the idle timer touch the same window state: run them one at a time. */
  private serialize(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step).catch((err: unknown) => this.logger.error(`aggregation step failed: ${(err as Error).stack}`));
    this.queue = next;
    return next;
  }
}
