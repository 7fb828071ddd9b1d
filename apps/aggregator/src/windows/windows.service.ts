import { Inject, Injectable, Logger } from '@nestjs/common';
import { StoredTelemetryEventSchema, TelemetryEvent, WindowMetric } from '@smartscale/contracts';
import { PartitionWindows, tumbling } from '@smartscale/windowing';
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
}

/** What one step of the pipeline produced: windows to emit, offsets safe to commit, dead letters. */
export interface StepOutput {
  metrics: WindowMetric[];
  commits: { partition: number; offset: string }[];
  deadLetters: DeadLetter[];
  late: number;
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
  private loggedLate = false;

  constructor(@Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig) {}

  ingest(records: InboundRecord[], highWatermark: string, wallNow: number): StepOutput {
    const out: StepOutput = { metrics: [], commits: [], deadLetters: [], late: 0 };
    for (const record of records) {
      const event = parse(record);
      if (typeof event === 'string') {
        out.deadLetters.push({ record, error: event });
        continue;
      }
      if (this.windowsOf(record.partition).add(event, record.offset, wallNow) === 'late') out.late++;
      this.nextOffsets.set(record.partition, (BigInt(record.offset) + 1n).toString());
    }
    if (records.length > 0) {
      const p = records[0].partition;
      this.lags.set(p, Number(BigInt(highWatermark) - BigInt(this.nextOffsets.get(p) ?? highWatermark)));
    }
    if (out.late > 0 && !this.loggedLate) {
      this.logger.warn(`dropping events later than the ${this.config.windows.graceMs} ms grace period (counted; logged once)`);
      this.loggedLate = true;
    }
    this.closeInto(out, wallNow);
    return out;
  }

  /** Closes windows of idle partitions by wall clock; called on a timer. */
  tick(wallNow: number): StepOutput {
    const out: StepOutput = { metrics: [], commits: [], deadLetters: [], late: 0 };
    for (const pw of this.partitions.values()) pw.advanceIfIdle(wallNow);
    this.closeInto(out, wallNow);
    return out;
  }

  /** Revoked partitions are forgotten: their new owner rebuilds open windows from the committed offset. */
  retain(assigned: Set<number>): void {
    for (const p of [...this.partitions.keys()]) {
      if (!assigned.has(p)) {
        this.partitions.delete(p);
        this.nextOffsets.delete(p);
        this.lags.delete(p);
      }
    }
  }

  private closeInto(out: StepOutput, wallNow: number): void {
    for (const [partition, pw] of this.partitions) {
      const closed = pw.closeReady();
      for (const agg of closed) out.metrics.push(agg.toMetric(partition, this.lags.get(partition) ?? 0, wallNow));
      const next = this.nextOffsets.get(partition);
      if (next !== undefined) out.commits.push({ partition, offset: pw.commitOffset(next) });
    }
  }

  private windowsOf(partition: number): PartitionWindows {
    let pw = this.partitions.get(partition);
    if (!pw) {
      const w = this.config.windows;
      pw = new PartitionWindows(partition, { spec: tumbling(w.sizeMs, w.graceMs), serviceIdleMs: w.serviceIdleMs, partitionIdleMs: w.partitionIdleMs });
      this.partitions.set(partition, pw);
    }
    return pw;
  }
}

function parse(record: InboundRecord): TelemetryEvent | string {
  if (!record.value) return 'empty record value';
  let json: unknown;
  try {
    json = JSON.parse(record.value.toString('utf8'));
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  const parsed = StoredTelemetryEventSchema.safeParse(json);
  return parsed.success ? (parsed.data as TelemetryEvent) : `schema: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`;
}
