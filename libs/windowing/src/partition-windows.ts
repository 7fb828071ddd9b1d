import type { TelemetryEvent } from '@smartscale/contracts';
import { WindowAggregate } from './window-aggregate';
import { isClosed, TimeWindow, windowsFor, WindowSpec } from './windows';

export interface PartitionWindowsOptions {
  spec: WindowSpec;
  /** A service that sent nothing for this long stops getting empty (zero-count) windows. */
  serviceIdleMs: number;
  /**
   * With no event for this long (wall clock), stream time advances with the wall clock, keeping the
   * last observed lag between the two, so that the last windows of a burst close and zero windows
   * follow. Without it a quiet partition would hold its windows open forever.
   */
  partitionIdleMs: number;
}

export interface ClosedWindow {
  aggregate: WindowAggregate;
}

export type AddOutcome = 'accepted' | 'late';

/**
 * What a restart needs, besides replaying from the committed offset, to take the same decisions as the
 * process that committed: the stream time reached and the start of the oldest window not yet emitted.
 * Every window before `closedBefore` was emitted in the transaction that committed this checkpoint;
 * with stream time restored, replayed events for those windows are late again instead of re-opening
 * them, and every replayed event for a later window is accepted exactly as it was the first time.
 */
export interface WindowCheckpoint {
  streamTime: number | null;
  closedBefore: number | null;
  /**
   * The next offset the committing process would have read: its consumer's position. The committed
   * offset stays at the oldest open window (replay needs it), so the group's committed lag overstates
   * the consumer's real lag by the open windows' records; a lag probe reads this instead
   * (workflows/src/observe/group-lag.probe.ts). Absent in checkpoints written before it existed.
   */
  position?: string;
}

const CHECKPOINT_PREFIX = 'w1:';

/** Offset-commit metadata is a short string (offset.metadata.max.bytes, 4 kB by default): this is ~40 bytes. */
export function encodeCheckpoint(c: WindowCheckpoint): string {
  const fields: (number | string | null)[] = [c.streamTime, c.closedBefore];
  if (c.position !== undefined) fields.push(c.position);
  return `${CHECKPOINT_PREFIX}${JSON.stringify(fields)}`;
}

/** Null for metadata this code did not write (an empty group, or offsets committed by another tool). */
export function decodeCheckpoint(metadata: string | null | undefined): WindowCheckpoint | null {
  if (!metadata?.startsWith(CHECKPOINT_PREFIX)) return null;
  const parsed: unknown = JSON.parse(metadata.slice(CHECKPOINT_PREFIX.length));
  const isTime = (v: unknown): v is number | null => v === null || Number.isInteger(v);
  const isOffset = (v: unknown): v is string => typeof v === 'string' && /^\d+$/.test(v);
  if (!Array.isArray(parsed) || (parsed.length !== 2 && parsed.length !== 3) || !isTime(parsed[0]) || !isTime(parsed[1]) || (parsed.length === 3 && !isOffset(parsed[2]))) {
    throw new Error(`unreadable window checkpoint in offset metadata: ${metadata}`);
  }
  return { streamTime: parsed[0], closedBefore: parsed[1], ...(parsed.length === 3 ? { position: parsed[2] as string } : {}) };
}

/**
 * Open windows and stream time of one partition. Key = service, so each service lives on exactly one
 * partition and per-partition stream time is the right clock (Kafka Streams does the same per task).
 */
export class PartitionWindows {
  private readonly open = new Map<string, { agg: WindowAggregate; minOffset: string }>();
  private readonly seen = new Map<string, { first: number; last: number }>();
  private streamTime = -Infinity;
  private nextToClose: number | null = null;
  private lastEventWall = 0;
  private wallMinusStream = 0;
  lateCount = 0;

  constructor(
    readonly partition: number,
    private readonly options: PartitionWindowsOptions,
  ) {}

  /** Resumes from a committed checkpoint; wall time restarts the idle clock so a restart does not jump stream time. */
  static resume(partition: number, options: PartitionWindowsOptions, checkpoint: WindowCheckpoint | null, wallNow: number): PartitionWindows {
    const p = new PartitionWindows(partition, options);
    if (checkpoint) {
      p.streamTime = checkpoint.streamTime ?? -Infinity;
      p.nextToClose = checkpoint.closedBefore;
      p.lastEventWall = wallNow;
      p.wallMinusStream = checkpoint.streamTime === null ? 0 : wallNow - checkpoint.streamTime;
    }
    return p;
  }

  /** To be committed with the offsets, in the same transaction as the windows closed so far. */
  checkpoint(): WindowCheckpoint {
    return { streamTime: Number.isFinite(this.streamTime) ? this.streamTime : null, closedBefore: this.nextToClose };
  }

  get currentStreamTime(): number {
    return this.streamTime;
  }

  add(event: TelemetryEvent, offset: string, wallNow: number): AddOutcome {
    const windows = windowsFor(event.time, this.options.spec).filter((w) => !isClosed(w, this.streamTime, this.options.spec));
    if (windows.length === 0) {
      this.lateCount++;
      return 'late';
    }
    for (const w of windows) this.windowFor(event.service, w, offset).agg.add(event);
    const seen = this.seen.get(event.service);
    this.seen.set(event.service, { first: Math.min(seen?.first ?? Infinity, event.time), last: Math.max(seen?.last ?? -Infinity, event.time) });
    if (event.time > this.streamTime) this.streamTime = event.time;
    // min, not ??=: an out-of-order first few events inside the grace period can open an older window
    // than the first event did, and closeReady only walks forward from nextToClose.
    this.nextToClose = Math.min(this.nextToClose ?? Infinity, windows[0].start);
    this.lastEventWall = wallNow;
    this.wallMinusStream = wallNow - this.streamTime;
    return 'accepted';
  }

  /** Moves stream time with the wall clock when the partition has been idle; see partitionIdleMs. */
  advanceIfIdle(wallNow: number): void {
    if (this.nextToClose === null || wallNow - this.lastEventWall < this.options.partitionIdleMs) return;
    this.streamTime = Math.max(this.streamTime, wallNow - this.wallMinusStream);
  }

  /** Closes, in window order, every window stream time has passed, with zero windows for quiet services. */
  closeReady(): WindowAggregate[] {
    const { spec } = this.options;
    const out: WindowAggregate[] = [];
    while (this.nextToClose !== null && isClosed({ start: this.nextToClose, end: this.nextToClose + spec.sizeMs }, this.streamTime, spec)) {
      const start = this.nextToClose;
      for (const service of this.activeServices(start)) {
        const key = keyOf(service, start);
        out.push(this.open.get(key)?.agg ?? new WindowAggregate(service, start, start + spec.sizeMs));
        this.open.delete(key);
      }
      this.nextToClose = start + spec.advanceMs;
    }
    return out;
  }

  /** The offset from which a restart must replay to rebuild every open window; null when nothing is open. */
  commitOffset(nextOffset: string): string {
    let min: bigint | null = null;
    for (const { minOffset } of this.open.values()) {
      const o = BigInt(minOffset);
      if (min === null || o < min) min = o;
    }
    return min === null ? nextOffset : min.toString();
  }

  private activeServices(windowStart: number): string[] {
    const { serviceIdleMs, spec } = this.options;
    const active = ([, s]: [string, { first: number; last: number }]): boolean => s.first < windowStart + spec.sizeMs && s.last >= windowStart - serviceIdleMs;
    return [...this.seen.entries()].filter(active).map(([service]) => service);
  }

  private windowFor(service: string, w: TimeWindow, offset: string): { agg: WindowAggregate; minOffset: string } {
    const key = keyOf(service, w.start);
    let entry = this.open.get(key);
    if (!entry) {
      entry = { agg: new WindowAggregate(service, w.start, w.end), minOffset: offset };
      this.open.set(key, entry);
    }
    return entry;
  }
}

const keyOf = (service: string, start: number): string => `${service}\u0000${start}`;
