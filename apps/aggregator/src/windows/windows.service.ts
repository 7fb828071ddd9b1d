import { Inject, Injectable, Logger } from '@nestjs/common';
import { StoredTelemetryEventSchema, TelemetryEvent, unpackEventRecord, WindowMetric } from '@smartscale/contracts';
import { encodeCheckpoint, hopping, PartitionWindows, PartitionWindowsOptions, tumbling, WindowCheckpoint } from '@smartscale/windowing';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';

export interface InboundRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
}

export interface DeadLetter {
  record: InboundRecord;
  error: string;
  /** When one event of a record of several was bad: its index and JSON (the good ones were aggregated). */
  item?: { index: number; value: string };
}

/**
 * An offset safe to commit for one partition, with the window checkpoint as its metadata: the two
 * are committed together, in the same transaction as the windows they account for.
 */
export interface PartitionCommit {
  partition: number;
  offset: string;
  metadata: string;
}

/** What one step of the pipeline produced for one partition: windows to emit, the commit, dead letters. */
export interface StepOutput {
  partition: number;
  metrics: WindowMetric[];
  commit: PartitionCommit | null;
  deadLetters: DeadLetter[];
  late: number;
  /** Events dated beyond the future bound (each is also a dead letter). */
  refused: number;
  /** Events dated ahead of the clock, counted in their window without moving stream time past it. */
  ahead: number;
  /** Services forgotten after their idle time. */
  servicesEvicted: number;
}

/**
 * The aggregation pipeline without its I/O: records in, closed windows and commit offsets out. The
 * consumer owns Kafka; this owns correctness, and is driven the same way by tests and production.
 */
@Injectable()
export class WindowsService {
  private readonly logger = new Logger(WindowsService.name);
  private readonly partitions = new Map<number, PartitionWindows>();
  private readonly nextOffsets = new Map<number, string>();
  private readonly lags = new Map<number, number>();
  /** Per partition, events per record lately (ingest packs a service's events): converts record lag to events. */
  private readonly eventsPerRecord = new Map<number, number>();
  /**
   * Per resumed partition, the checkpoint's consumer position: records before it were handled by the
   * process that committed, dead letters included (same transaction), so replaying them (the committed
   * offset stays at the oldest open window) must not send those dead letters again.
   */
  private readonly handledBefore = new Map<number, bigint>();
  private loggedLate = false;

  constructor(@Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig) {}

  /** The partition has state here: it was resumed (or started fresh) since it was last assigned. */
  has(partition: number): boolean {
    return this.partitions.has(partition);
  }

  /**
   * Starts a newly assigned partition from its committed checkpoint. The caller replays from the
   * committed offset, so open windows are rebuilt and windows already emitted are not emitted again.
   */
  resume(partition: number, checkpoint: WindowCheckpoint | null, wallNow: number): void {
    const pw = PartitionWindows.resume(partition, this.windowOptions(), checkpoint, wallNow);
    if (pw.healedFrom !== null) {
      this.logger.warn(
        `partition ${partition}: the checkpoint's stream time ${new Date(pw.healedFrom).toISOString()} is ahead of the clock; clamped to ${new Date(pw.currentStreamTime).toISOString()}`,
      );
    }
    this.partitions.set(partition, pw);
    if (checkpoint?.position !== undefined) this.handledBefore.set(partition, BigInt(checkpoint.position));
    else this.handledBefore.delete(partition);
    this.nextOffsets.delete(partition);
    this.lags.delete(partition);
  }

  /** Records of one partition, in offset order. The closed windows come out tumbling and hopping, in the order they closed. */
  ingest(partition: number, records: InboundRecord[], highWatermark: string, wallNow: number): StepOutput {
    const out = emptyOutput(partition);
    const pw = this.windowsOf(partition);
    let events = 0;
    for (const record of records) {
      // Dead letters move the offset too, so that a replay does not send them a second time.
      this.nextOffsets.set(partition, (BigInt(record.offset) + 1n).toString());
      const deadLetters = this.handled(partition, record.offset) ? [] : out.deadLetters;
      const unpacked = unpackEventRecord(record.value);
      if ('error' in unpacked) {
        deadLetters.push({ record, error: unpacked.error });
        continue;
      }
      const packed = unpacked.items.length > 1;
      unpacked.items.forEach((item, index) => {
        events++;
        const event = validate(item);
        const where = packed ? { item: { index, value: JSON.stringify(item) } } : {};
        if (typeof event === 'string') {
          deadLetters.push({ record, error: event, ...where });
          return;
        }
        const outcome = pw.add(event, record.offset, wallNow);
        if (outcome === 'late') out.late++;
        else if (outcome === 'ahead') out.ahead++;
        else if (outcome === 'refused' && deadLetters === out.deadLetters) {
          out.refused++;
          deadLetters.push({ record, error: this.refusal(event.time, wallNow), ...where });
        }
      });
    }
    if (records.length > 0) {
      const ratio = events / records.length;
      const before = this.eventsPerRecord.get(partition);
      this.eventsPerRecord.set(partition, before === undefined ? ratio : 0.8 * before + 0.2 * ratio);
    }
    const next = this.nextOffsets.get(partition);
    if (next !== undefined)
      this.lags.set(partition, Math.round(Math.max(0, Number(BigInt(highWatermark) - BigInt(next))) * this.perRecord(partition)));
    if (out.late > 0 && !this.loggedLate) {
      this.logger.warn(`dropping events later than the ${this.config.windows.graceMs} ms grace period (counted; logged once)`);
      this.loggedLate = true;
    }
    this.closeInto(out, pw, wallNow);
    return out;
  }

  /** Closes windows of idle partitions by wall clock; called on a timer. One output per partition that changed. */
  tick(wallNow: number): StepOutput[] {
    const outs: StepOutput[] = [];
    for (const [partition, pw] of this.partitions) {
      pw.advanceIfIdle(wallNow);
      const out = emptyOutput(partition);
      this.closeInto(out, pw, wallNow);
      if (out.metrics.length > 0 || out.servicesEvicted > 0) outs.push(out);
    }
    return outs;
  }

  /** Revoked partitions are forgotten: their new owner rebuilds open windows from the committed offset. */
  retain(assigned: Set<number>): void {
    for (const p of [...this.partitions.keys()]) if (!assigned.has(p)) this.forget(p);
  }

  /** Drops a partition's state, e.g. after a failed transaction: it is resumed again from what was committed. */
  forget(partition: number): void {
    this.partitions.delete(partition);
    this.handledBefore.delete(partition);
    this.nextOffsets.delete(partition);
    this.lags.delete(partition);
    this.eventsPerRecord.delete(partition);
  }

  /** The record was handled (and any dead letter of it sent) before the checkpoint this partition resumed from. */
  private handled(partition: number, offset: string): boolean {
    const before = this.handledBefore.get(partition);
    if (before === undefined) return false;
    if (BigInt(offset) < before) return true;
    this.handledBefore.delete(partition);
    return false;
  }

  /** Services with state in this process, all partitions. */
  serviceCount(): number {
    let n = 0;
    for (const pw of this.partitions.values()) n += pw.serviceCount;
    return n;
  }

  private refusal(time: number, wallNow: number): string {
    const { maxFutureMs } = this.config.windows.clock;
    return `event time ${new Date(time).toISOString()} is ${Math.round((time - wallNow) / 1000)} s ahead of the aggregator's clock (at most ${maxFutureMs / 1000} s, SMARTSCALE_AGGREGATOR_MAX_FUTURE_MS)`;
  }

  private closeInto(out: StepOutput, pw: PartitionWindows, wallNow: number): void {
    const { partition } = out;
    const evicted = pw.evictedServices;
    for (const agg of pw.closeReady(wallNow)) out.metrics.push(agg.toMetric(partition, this.lags.get(partition) ?? 0, wallNow));
    out.servicesEvicted += pw.evictedServices - evicted;
    const next = this.nextOffsets.get(partition);
    if (next !== undefined) {
      const checkpoint = { ...pw.checkpoint(), position: next, eventsPerRecord: Math.round(this.perRecord(partition) * 100) / 100 };
      out.commit = { partition, offset: pw.commitOffset(next), metadata: encodeCheckpoint(checkpoint) };
    }
  }

  private perRecord(partition: number): number {
    return this.eventsPerRecord.get(partition) ?? 1;
  }

  private windowsOf(partition: number): PartitionWindows {
    let pw = this.partitions.get(partition);
    if (!pw) {
      pw = new PartitionWindows(partition, this.windowOptions());
      this.partitions.set(partition, pw);
    }
    return pw;
  }

  private windowOptions(): PartitionWindowsOptions {
    const w = this.config.windows;
    return {
      spec: tumbling(w.sizeMs, w.graceMs),
      hopping: w.hopping && hopping(w.hopping.sizeMs, w.hopping.advanceMs, w.graceMs),
      serviceIdleMs: w.serviceIdleMs,
      partitionIdleMs: w.partitionIdleMs,
      clock: w.clock,
    };
  }
}

const emptyOutput = (partition: number): StepOutput => ({
  partition,
  metrics: [],
  commit: null,
  deadLetters: [],
  late: 0,
  refused: 0,
  ahead: 0,
  servicesEvicted: 0,
});

function validate(item: unknown): TelemetryEvent | string {
  const parsed = StoredTelemetryEventSchema.safeParse(item);
  return parsed.success
    ? (parsed.data as TelemetryEvent)
    : `schema: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`;
}
