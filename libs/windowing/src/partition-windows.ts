import type { TelemetryEvent } from '@smartscale/contracts';
import { PaneGeometry, ServicePanes, windowsOfPane } from './service-panes';
import { Tally, WindowAggregate } from './window-aggregate';
import { WindowSpec } from './windows';

export interface PartitionWindowsOptions {
  /** The tumbling windows, which are also the panes of the hopping windows. */
  spec: WindowSpec;
  /**
   * Hopping windows emitted beside the tumbling ones, each the merge of its panes; none when absent.
   * Advance a multiple of the tumbling size, the same grace.
   */
  hopping?: WindowSpec | null;
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
  /**
   * Events per record lately on this partition (ingest packs a service's events into one record), so
   * that a lag probe can turn the records behind `position` into events. Absent: 1.
   */
  eventsPerRecord?: number;
}

const CHECKPOINT_PREFIX = 'w1:';

/** Offset-commit metadata is a short string (offset.metadata.max.bytes, 4 kB by default): this is ~40 bytes. */
export function encodeCheckpoint(c: WindowCheckpoint): string {
  const fields: (number | string | null)[] = [c.streamTime, c.closedBefore];
  if (c.position !== undefined) fields.push(c.position);
  if (c.position !== undefined && c.eventsPerRecord !== undefined) fields.push(c.eventsPerRecord);
  return `${CHECKPOINT_PREFIX}${JSON.stringify(fields)}`;
}

/** Null for metadata this code did not write (an empty group, or offsets committed by another tool). */
export function decodeCheckpoint(metadata: string | null | undefined): WindowCheckpoint | null {
  if (!metadata?.startsWith(CHECKPOINT_PREFIX)) return null;
  const parsed: unknown = JSON.parse(metadata.slice(CHECKPOINT_PREFIX.length));
  const isTime = (v: unknown): v is number | null => v === null || Number.isInteger(v);
  const isOffset = (v: unknown): v is string => typeof v === 'string' && /^\d+$/.test(v);
  const isRatio = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
  if (
    !Array.isArray(parsed) || parsed.length < 2 || parsed.length > 4 || !isTime(parsed[0]) || !isTime(parsed[1]) ||
    (parsed.length >= 3 && !isOffset(parsed[2])) || (parsed.length === 4 && !isRatio(parsed[3]))
  ) {
    throw new Error(`unreadable window checkpoint in offset metadata: ${metadata}`);
  }
  return {
    streamTime: parsed[0],
    closedBefore: parsed[1],
    ...(parsed.length >= 3 ? { position: parsed[2] as string } : {}),
    ...(parsed.length === 4 ? { eventsPerRecord: parsed[3] as number } : {}),
  };
}

/**
 * Open windows and stream time of one partition. Key = service, so each service lives on exactly one
 * partition and per-partition stream time is the right clock (Kafka Streams does the same per task).
 * The tumbling windows are kept as panes (ServicePanes) for as long as a hopping window not yet emitted
 * covers them, and each hopping window is emitted once, when its last pane closes.
 */
export class PartitionWindows {
  private readonly services = new Map<string, ServicePanes>();
  private readonly seen = new Map<string, { first: number; last: number }>();
  private readonly geometry: PaneGeometry | null;
  private streamTime = -Infinity;
  private nextToClose: number | null = null;
  private lastEventWall = 0;
  private wallMinusStream = 0;
  lateCount = 0;

  constructor(
    readonly partition: number,
    private readonly options: PartitionWindowsOptions,
  ) {
    this.geometry = paneGeometry(options);
  }

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

  /**
   * To be committed with the offsets, in the same transaction as the windows closed so far. Hopping
   * windows need nothing more: those emitted are the ones ending at or before closedBefore, and a
   * replayed event counts in every hopping window still open exactly as it did the first time, since
   * stream time was lower then and no window closes before stream time passes its end plus grace.
   */
  checkpoint(): WindowCheckpoint {
    return { streamTime: Number.isFinite(this.streamTime) ? this.streamTime : null, closedBefore: this.nextToClose };
  }

  get currentStreamTime(): number {
    return this.streamTime;
  }

  /** 'late': too late for its tumbling window (it may still count in hopping windows still open). */
  add(event: TelemetryEvent, offset: string, wallNow: number): AddOutcome {
    const { sizeMs, graceMs } = this.options.spec;
    const k = Math.floor(event.time / sizeMs);
    const start = k * sizeMs;
    const tumblingOpen = this.streamTime < start + sizeMs + graceMs;
    const hop = this.options.hopping;
    const firstOpenWindow = hop ? Math.floor((this.streamTime - graceMs) / hop.advanceMs) + 1 : Infinity;
    if (!tumblingOpen && windowsOfPane(this.geometry, k).to < firstOpenWindow) {
      this.lateCount++;
      return 'late';
    }
    let panes = this.services.get(event.service);
    if (!panes) {
      panes = new ServicePanes(this.geometry);
      this.services.set(event.service, panes);
    }
    const counted = panes.add(event, k, tumblingOpen, firstOpenWindow, offset);
    if (!tumblingOpen) {
      // Before the first window closes, a late event's hopping window can end before the oldest pane
      // walked so far: walk from its last pane. Never once a window has closed (it would be closed too).
      if (hop && counted !== null) this.nextToClose = Math.min(this.nextToClose ?? Infinity, counted * hop.advanceMs - sizeMs);
      this.lateCount++;
      return 'late';
    }
    const seen = this.seen.get(event.service);
    if (seen) {
      seen.first = Math.min(seen.first, event.time);
      seen.last = Math.max(seen.last, event.time);
    } else {
      this.seen.set(event.service, { first: event.time, last: event.time });
    }
    if (event.time > this.streamTime) this.streamTime = event.time;
    // min, not ??=: an out-of-order first few events inside the grace period can open an older window
    // than the first event did, and closeReady only walks forward from nextToClose.
    this.nextToClose = Math.min(this.nextToClose ?? Infinity, start);
    this.lastEventWall = wallNow;
    this.wallMinusStream = wallNow - this.streamTime;
    return 'accepted';
  }

  /** Moves stream time with the wall clock when the partition has been idle; see partitionIdleMs. */
  advanceIfIdle(wallNow: number): void {
    if (this.nextToClose === null || wallNow - this.lastEventWall < this.options.partitionIdleMs) return;
    this.streamTime = Math.max(this.streamTime, wallNow - this.wallMinusStream);
  }

  /**
   * Closes, in window order, every tumbling window stream time has passed, with zero windows for quiet
   * services; after each, the hopping window that ends with it, if one does.
   */
  closeReady(): WindowAggregate[] {
    const { sizeMs, graceMs } = this.options.spec;
    const hop = this.options.hopping;
    const out: WindowAggregate[] = [];
    const before = this.nextToClose;
    while (this.nextToClose !== null && this.streamTime >= this.nextToClose + sizeMs + graceMs) {
      const start = this.nextToClose;
      const end = start + sizeMs;
      for (const service of this.activeServices(start, end)) {
        const t = this.services.get(service)?.tumbling(start / sizeMs);
        out.push(new WindowAggregate(service, start, end, 'tumbling', t?.tally, t?.duplicates));
      }
      if (hop && end % hop.advanceMs === 0) out.push(...this.hoppingWindow(end - hop.sizeMs, end, end / hop.advanceMs));
      this.nextToClose = end;
    }
    if (this.nextToClose !== before) this.evict();
    return out;
  }

  /** The offset from which a restart must replay to rebuild every pane still needed; nextOffset when there is none. */
  commitOffset(nextOffset: string): string {
    let min: bigint | null = null;
    for (const panes of this.services.values()) {
      const o = panes.oldestOffset;
      if (o !== null && (min === null || o < min)) min = o;
    }
    return min === null ? nextOffset : min.toString();
  }

  /** Active services get one even when empty, as tumbling windows do; so does any service with events in it. */
  private hoppingWindow(start: number, end: number, w: number): WindowAggregate[] {
    const active = new Set(this.activeServices(start, end));
    const out: WindowAggregate[] = [];
    for (const service of new Set([...active, ...this.services.keys()])) {
      const tally = this.services.get(service)?.hopping(w) ?? new Tally();
      if (tally.count > 0 || active.has(service)) out.push(new WindowAggregate(service, start, end, 'hopping', tally));
    }
    return out;
  }

  /**
   * Drops the panes no window still to be emitted needs: before the oldest open tumbling window, and
   * before the first pane of the oldest hopping window not yet emitted.
   */
  private evict(): void {
    if (this.nextToClose === null) return;
    const { sizeMs } = this.options.spec;
    let keepFrom = this.nextToClose / sizeMs;
    if (this.geometry && this.options.hopping) {
      const firstOpen = Math.floor(this.nextToClose / this.options.hopping.advanceMs) + 1;
      keepFrom = Math.min(keepFrom, firstOpen * this.geometry.perAdvance - this.geometry.perWindow);
    }
    for (const [service, panes] of this.services) if (panes.evictBefore(keepFrom)) this.services.delete(service);
  }

  private activeServices(start: number, end: number): string[] {
    const { serviceIdleMs } = this.options;
    const active = ([, s]: [string, { first: number; last: number }]): boolean => s.first < end && s.last >= start - serviceIdleMs;
    return [...this.seen.entries()].filter(active).map(([service]) => service);
  }
}

/** Validates the two specs together: hopping windows must be whole runs of panes. */
function paneGeometry({ spec, hopping }: PartitionWindowsOptions): PaneGeometry | null {
  if (spec.advanceMs !== spec.sizeMs) throw new Error(`the base windows must be tumbling (size ${spec.sizeMs}, advance ${spec.advanceMs})`);
  if (!hopping) return null;
  if (hopping.advanceMs % spec.sizeMs !== 0 || hopping.sizeMs % hopping.advanceMs !== 0 || hopping.graceMs !== spec.graceMs) {
    throw new Error(
      `hopping windows need an advance that is a multiple of the tumbling size ${spec.sizeMs}, a size that is a multiple of the advance, and the same grace (size ${hopping.sizeMs}, advance ${hopping.advanceMs}, grace ${hopping.graceMs})`,
    );
  }
  return { perAdvance: hopping.advanceMs / spec.sizeMs, perWindow: hopping.sizeMs / spec.sizeMs };
}
