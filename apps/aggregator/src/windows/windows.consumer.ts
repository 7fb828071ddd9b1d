import { Inject, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { decodeCheckpoint } from '@smartscale/windowing';
import { BATCH_RECORDS, BatchMetricsPublisher } from '../batching/batch-metrics.adapter';
import { BatchTuner } from '../batching/batch-tuner';
import { mergeStep, PendingBatch, StepStats, toBatchMetric } from '../batching/pending-batch';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';
import { COMMITTED_POSITIONS, CommittedPositions } from '../exactly-once/committed-position.adapter';
import { EXACTLY_ONCE_OUTPUT, ExactlyOnceOutput, isFenced } from '../exactly-once/transactional-output.adapter';
import { AggregatorMetrics } from '../metrics/aggregator-metrics';
import type { PartitionFlow } from './events-batch.server';
import { WALL_CLOCK, WallClock } from './wall-clock';
import { InboundRecord, StepOutput, WindowsService } from './windows.service';

/**
 * What this member knows of one assigned partition of the events topic beyond its windows (which
 * WindowsService keeps). Dropped at every assignment: kafkajs restarts each partition from its
 * committed offset then, and the next batch claims it again.
 */
export interface PartitionState {
  /** The committed offset when the partition was claimed: records below it belong to windows already emitted. */
  floor: bigint;
  /** The last transaction aborted: the next batch claims the partition again and rewinds to the committed offset. */
  rewind: boolean;
  /** A newer owner fenced this member's producer: the partition stays paused until the next assignment. */
  fenced: boolean;
  /** The steps processed since the last commit, merged, and when the first of them ran. */
  pending: PendingBatch | null;
  /** The lag after the last step: an idle tick's batch reports it. */
  lastLag: number;
}

const freshState = (): PartitionState => ({ floor: 0n, rewind: false, fenced: false, pending: null, lastLag: 0 });

/**
 * Kafka side of the aggregator: one consumer-group member. Each batch (and each idle tick) of a
 * partition commits in one transaction its closed windows, its dead letters, and the offset of the
 * oldest open window with the window checkpoint as metadata; see TransactionalOutput for fencing.
 * A newly assigned partition is claimed (fence, then read the committed position) before its first
 * batch, and replays from that offset: open windows are rebuilt, emitted ones are not emitted again.
 * The consumer itself belongs to the transport (EventsBatchServer), which calls in through
 * WindowsController: assigned, batch, tick, and drain before it leaves the group.
 *
 * Steps of a partition are merged and committed in one transaction at most every commit interval
 * (Kafka Streams' commit.interval.ms under exactly-once is 100 ms): a transaction costs about five
 * round trips and the markers, so one per fetched batch capped throughput. The interval adds at most
 * itself to the time a closed window takes to become visible; the tuner trades the two at run time.
 */
@Injectable()
export class WindowsConsumer {
  private readonly logger = new Logger(WindowsConsumer.name);
  private readonly partitions = new Map<number, PartitionState>();
  /** performance.now() when the previous batch was done: the wait for the next one's data starts there. */
  private idleSince: number | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly windows: WindowsService,
    private readonly metrics: AggregatorMetrics,
    @Inject(EXACTLY_ONCE_OUTPUT) private readonly output: ExactlyOnceOutput,
    @Inject(COMMITTED_POSITIONS) private readonly positions: CommittedPositions,
    private readonly tuner: BatchTuner,
    @Inject(BATCH_RECORDS) private readonly batchRecords: BatchMetricsPublisher | null,
    @Inject(WALL_CLOCK) private readonly now: WallClock,
  ) {}

  /** A rebalance gave this member `assigned`. */
  assigned(assigned: Set<number>, flow: PartitionFlow): Promise<void> {
    this.logger.log(`${this.config.kafka.clientId} assigned partitions [${[...assigned].join(', ')}]`);
    return this.serialize(() => this.onAssigned(assigned, flow));
  }

  batch(payload: EachBatchPayload, flow: PartitionFlow): Promise<void> {
    return this.serialize(() => this.onBatch(payload, flow));
  }

  tick(flow: PartitionFlow): Promise<void> {
    return this.serialize(() => this.onTick(flow));
  }

  /**
   * The transport stops: commits every pending step, after the step in progress, before it leaves the
   * group. Open windows stay open: the committed offset points at the oldest one, so the next owner replays them.
   */
  async drain(flow: PartitionFlow): Promise<void> {
    await this.queue;
    await this.serialize(() => this.commitPending(flow, 0));
  }

  /** The state of one partition, made on first use. */
  private stateOf(p: number): PartitionState {
    let state = this.partitions.get(p);
    if (!state) {
      state = freshState();
      this.partitions.set(p, state);
    }
    return state;
  }

  /**
   * After every rebalance kafkajs restarts each assigned partition from its committed offset (a new
   * offset manager per generation), kept partitions included. So all in-memory state is dropped and
   * rebuilt by replay on the next batch (claim: fence, read the checkpoint), and steps not yet
   * committed are dropped, never committed from an old generation.
   */
  private async onAssigned(assigned: Set<number>, flow: PartitionFlow): Promise<void> {
    const fenced = [...this.partitions].filter(([, s]) => s.fenced).map(([p]) => p);
    this.partitions.clear(); // the new generation starts from the committed offsets anyway
    this.windows.retain(new Set());
    this.metrics.partitionsChanged();
    await this.output.close();
    const stillOurs = fenced.filter((p) => assigned.has(p));
    if (stillOurs.length > 0) flow.resume(stillOurs);
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload, flow: PartitionFlow): Promise<void> {
    const p = batch.partition;
    const began = performance.now();
    const fetchWaitMs = this.idleSince === null ? 0 : began - this.idleSince;
    try {
      if (this.partitions.get(p)?.fenced || isStale()) return;
      await this.processBatch(batch, fetchWaitMs, { resolveOffset, heartbeat, isStale }, flow);
    } finally {
      this.idleSince = performance.now();
      this.tuner.worked(this.idleSince - began);
    }
  }

  /**
   * Hands the batch to the windows in steps of at most maxBatchRecords, committing the partition's
   * pending steps whenever the commit interval has passed: a big fetch then never holds its windows
   * back for longer than the interval, and small steps leave room for commits at low load.
   */
  private async processBatch(
    batch: EachBatchPayload['batch'],
    fetchWaitMs: number,
    { resolveOffset, heartbeat, isStale }: Pick<EachBatchPayload, 'resolveOffset' | 'heartbeat' | 'isStale'>,
    flow: PartitionFlow,
  ): Promise<void> {
    const p = batch.partition;
    if (!this.windows.has(p) || !this.output.owns(p)) await this.claim(p);
    const state = this.stateOf(p);
    if (state.rewind) {
      // The aborted steps are gone from memory: replay from the committed offset (this batch starts later).
      state.rewind = false;
      flow.seek(p, state.floor.toString());
      return;
    }
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= state.floor);
    const highWatermark = Number(batch.highWatermark);
    const lagFrom = (offset: string): number => Math.max(0, highWatermark - Number(offset));
    this.metrics.lag.set({ partition: String(p) }, Math.max(0, lagFrom(batch.lastOffset()) - 1));
    let start = 0;
    do {
      // The tuner may change maxBatchRecords between steps: advance by what was taken.
      const chunk = messages.slice(start, start + this.tuner.knobs.maxBatchRecords);
      const first = start === 0;
      start += chunk.length;
      const began = performance.now();
      const out = this.windows.ingest(
        p,
        chunk.map((m) => inbound(p, m)),
        batch.highWatermark,
        this.now(),
      );
      const last = chunk.at(-1)?.offset ?? batch.lastOffset();
      const lagAfter = Math.max(0, lagFrom(last) - 1);
      const stats: StepStats = {
        records: chunk.length,
        bytes: chunk.reduce((n, m) => n + (m.value?.length ?? 0), 0),
        fetchWaitMs: first ? fetchWaitMs : 0,
        processingMs: performance.now() - began,
        lagBefore: chunk.length > 0 ? lagFrom(chunk[0].offset) : lagAfter,
        lagAfter,
      };
      state.lastLag = lagAfter;
      this.defer(out, stats);
      if (this.now() - (state.pending?.since ?? Infinity) >= this.tuner.knobs.commitIntervalMs) await this.commitPending(flow, 0, p);
      // A failed commit forgot the partition: the next batch claims it again and replays from the committed offset.
      if (!this.windows.has(p) || isStale()) return;
      if (start < messages.length) await heartbeat();
    } while (start < messages.length);
    // The position moves on now; if a deferred commit fails, the next batch rewinds to the committed offset.
    resolveOffset(batch.lastOffset());
    await heartbeat();
  }

  private async onTick(flow: PartitionFlow): Promise<void> {
    const began = performance.now();
    await this.tickStep(flow);
    this.tuner.worked(performance.now() - began);
  }

  private async tickStep(flow: PartitionFlow): Promise<void> {
    for (const out of this.windows.tick(this.now())) if (this.output.owns(out.partition)) this.defer(out);
    await this.commitPending(flow, this.tuner.knobs.commitIntervalMs);
  }

  private defer(out: StepOutput, stats: StepStats | null = null): void {
    const state = this.stateOf(out.partition);
    state.pending = mergeStep(state.pending ?? undefined, out, stats, this.now(), state.lastLag);
  }

  /** Commits the pending steps that are at least minAgeMs old (of one partition, or all). */
  private async commitPending(flow: PartitionFlow, minAgeMs: number, only?: number): Promise<void> {
    for (const [p, state] of [...this.partitions]) {
      const entry = state.pending;
      if (!entry || (only !== undefined && p !== only) || this.now() - entry.since < minAgeMs) continue;
      state.pending = null;
      await this.commit(entry, flow);
    }
  }

  private async claim(p: number): Promise<void> {
    const position = await this.output.claim(p, () => this.positions.read(p));
    this.windows.resume(p, decodeCheckpoint(position.metadata), this.now());
    this.stateOf(p).floor = position.offset === null ? 0n : BigInt(position.offset);
    this.logger.log(`claimed partition ${p} at offset ${position.offset ?? 'earliest'} (${position.metadata ?? 'no checkpoint'})`);
  }

  /**
   * Commits one step; on failure forgets the partition's state (the aborted windows are no longer in
   * memory), so that the next batch claims the partition again and rewinds to the committed offset.
   */
  private async commit(entry: PendingBatch, flow: PartitionFlow): Promise<boolean> {
    const { out } = entry;
    const p = out.partition;
    const began = performance.now();
    let committed: boolean;
    try {
      committed = await this.output.commit(out);
    } catch (err) {
      this.metrics.aborted.inc();
      const state = this.stateOf(p);
      state.pending = null;
      this.windows.forget(p);
      state.floor = 0n;
      await this.output.release(p);
      if (isFenced(err)) {
        this.logger.warn(`partition ${p}: fenced by a newer owner, pausing it until the next assignment`);
        state.fenced = true;
        flow.pause([p]);
        return false;
      }
      this.logger.error(`partition ${p}: transaction aborted, replaying from the committed offset: ${(err as Error).message}`);
      state.rewind = true;
      return false;
    }
    this.metrics.committed(out.metrics, out.late, out.deadLetters.length, this.now());
    this.metrics.bounded(out, this.windows.serviceCount());
    if (committed) this.recordBatch(entry, performance.now() - began);
    for (const d of out.deadLetters)
      this.logger.warn(`dead letter ${this.config.topics.events}/${p}@${d.record.offset} key=${d.record.key}: ${d.error}`);
    return true;
  }

  /** Off the hot path: histograms, a buffered record for the batches topic, and the tuner's next settings. */
  private recordBatch(entry: PendingBatch, commitMs: number): void {
    const { stats } = entry;
    if (this.batchRecords) {
      // With the settings this batch ran under, before the tuner moves them.
      const b = toBatchMetric(entry, this.config.kafka.clientId, this.tuner.settings, commitMs, this.now());
      this.metrics.batch(b);
      this.batchRecords.record(b);
    }
    this.tuner.observe({ ...stats, commitMs });
  }

  /** Batches, rebalances and the idle timer touch the same window state: run them one at a time. */
  private serialize(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step).catch((err: unknown) => this.logger.error(`aggregation step failed: ${(err as Error).stack}`));
    this.queue = next;
    return next;
  }
}

const inbound = (partition: number, m: KafkaMessage): InboundRecord => ({
  partition,
  offset: m.offset,
  key: m.key?.toString() ?? null,
  value: m.value,
});
