import type { TelemetryEvent } from '@smartscale/contracts';
import { PaneGeometry, ServicePanes, windowsOfPane } from './service-panes';
import { Tally, WindowAggregate } from './window-aggregate';
import { windowsFor, WindowSpec } from './windows';

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
  /**
   * How far event time may run ahead of the processing wall clock. Stream time is one clock for every
   * service of the partition, so without these one event dated ahead (from any client, of any service
   * that hashes here) would close everyone's windows early and make their real events late. Absent:
   * event time alone, as when replaying a recorded stream whose times are far from today's clock.
   */
  clock?: ClockBounds | null;
}

export interface ClockBounds {
  /**
   * Stream time never runs ahead of the wall clock by more than this. At most the grace period: stream
   * time that leads the clock by L leaves the real events of a closing window only grace − L of delay.
   */
  maxStreamLeadMs: number;
  /**
   * Events dated further ahead of the wall clock than this are refused (the caller dead-letters them);
   * those in between count in their window but do not move stream time.
   */
  maxFutureMs: number;
}

export interface ClosedWindow {
  aggregate: WindowAggregate;
}

/**
 * 'ahead': accepted, but dated past the wall clock plus the allowed lead, so it did not move stream
 * time; 'refused': dated beyond ClockBounds.maxFutureMs, nothing recorded.
 */
export type AddOutcome = 'accepted' | 'ahead' | 'late' | 'refused';

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
    !Array.isArray(parsed) ||
    parsed.length < 2 ||
    parsed.length > 4 ||
    !isTime(parsed[0]) ||
    !isTime(parsed[1]) ||
    (parsed.length >= 3 && !isOffset(parsed[2])) ||
    (parsed.length === 4 && !isRatio(parsed[3]))
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
  /**
   * After a resume, the checkpoint's consumer position: records before it were processed by the
   * process that committed, their part of stream time is already in the restored value, so replaying
   * them must not move it again (a wall-clock bound may have held one back the first time).
   */
  private replayBefore: bigint | null = null;
  lateCount = 0;
  refusedCount = 0;
  aheadCount = 0;
  /** Services forgotten after serviceIdleMs without an event (no more zero windows, no state). */
  evictedServices = 0;
  /** The stream time of a checkpoint that was ahead of the wall clock, clamped on resume; null if none was. */
  healedFrom: number | null = null;

  constructor(
    readonly partition: number,
    private readonly options: PartitionWindowsOptions,
  ) {
    this.geometry = paneGeometry(options);
  }

  /** Resumes from a committed checkpoint; wall time restarts the idle clock so a restart does not jump stream time. */
  static resume(
    partition: number,
    options: PartitionWindowsOptions,
    checkpoint: WindowCheckpoint | null,
    wallNow: number,
  ): PartitionWindows {
    const p = new PartitionWindows(partition, options);
    if (checkpoint) {
      p.streamTime = checkpoint.streamTime ?? -Infinity;
      p.nextToClose = checkpoint.closedBefore;
      const limit = options.clock ? wallNow + options.clock.maxStreamLeadMs : Infinity;
      if (p.streamTime > limit) {
        // Written by a process that let one event move stream time ahead of the clock: clamp it, and
        // re-open the windows it closed ahead of time (they were emitted empty; they will be emitted
        // again with their real events). Its replay offsets carry the poisoned stream time: not kept.
        p.healedFrom = p.streamTime;
        p.streamTime = limit;
        if (p.nextToClose !== null) p.nextToClose = Math.min(p.nextToClose, p.firstOpenStart(limit));
      } else if (checkpoint.position !== undefined) {
        p.replayBefore = BigInt(checkpoint.position);
      }
      p.lastEventWall = wallNow;
      p.wallMinusStream = Number.isFinite(p.streamTime) ? wallNow - p.streamTime : 0;
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

  /**
   * 'late': too late for its tumbling window (it may still count in hopping windows still open).
   * wallNow is the processing clock, passed in so that this stays pure.
   */
  add(event: TelemetryEvent, offset: string, wallNow: number): AddOutcome {
    const { sizeMs, graceMs } = this.options.spec;
    const clock = this.options.clock;
    if (clock && event.time > wallNow + clock.maxFutureMs) {
      this.refusedCount++;
      return 'refused';
    }
    // The event's tumbling window by the documented assignment (one window: the base spec is tumbling);
    // its index k is the pane of the hopping windows, which windowsOfPane maps to the same windows
    // windowsFor gives for the hopping spec (partition-windows.spec checks the two agree).
    const [own] = windowsFor(event.time, this.options.spec);
    const start = own.start;
    const k = start / sizeMs;
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
    // An event dated ahead of the clock waits in its window and moves stream time not at all (not even
    // to the clock: while a backlog is read, the clock is far ahead of the records around it).
    const ahead = clock ? event.time > wallNow + clock.maxStreamLeadMs : false;
    if (!ahead && event.time > this.streamTime && !this.replayed(offset)) this.streamTime = event.time;
    // min, not ??=: an out-of-order first few events inside the grace period can open an older window
    // than the first event did, and closeReady only walks forward from nextToClose.
    this.nextToClose = Math.min(this.nextToClose ?? Infinity, start);
    this.lastEventWall = wallNow;
    this.wallMinusStream = wallNow - this.streamTime;
    if (ahead) {
      this.aheadCount++;
      return 'ahead';
    }
    return 'accepted';
  }

  /** Moves stream time with the wall clock when the partition has been idle; see partitionIdleMs. */
  advanceIfIdle(wallNow: number): void {
    if (this.nextToClose === null || wallNow - this.lastEventWall < this.options.partitionIdleMs) return;
    const limit = this.options.clock ? wallNow + this.options.clock.maxStreamLeadMs : Infinity;
    this.streamTime = Math.max(this.streamTime, Math.min(wallNow - this.wallMinusStream, limit));
  }

  /** Services this partition keeps state for (zero windows, open panes). */
  get serviceCount(): number {
    let n = this.seen.size;
    for (const service of this.services.keys()) if (!this.seen.has(service)) n++;
    return n;
  }

  /**
   * Closes, in window order, every tumbling window stream time has passed, with zero windows for quiet
   * services; after each, the hopping window that ends with it, if one does. Never a window that ends
   * after wallNow (the caller's clock): a result dated in the future is wrong whatever stream time says.
   */
  closeReady(wallNow = Infinity): WindowAggregate[] {
    const { sizeMs, graceMs } = this.options.spec;
    const hop = this.options.hopping;
    const out: WindowAggregate[] = [];
    const before = this.nextToClose;
    while (this.nextToClose !== null && this.streamTime >= this.nextToClose + sizeMs + graceMs && this.nextToClose + sizeMs <= wallNow) {
      const start = this.nextToClose;
      const end = start + sizeMs;
      const active = this.activeServices(start, end);
      if (active.length === 0) {
        // Nothing to emit here: jump to the next window that can emit, instead of walking, say, from a
        // very old first event to today one window at a time.
        const busy = this.nextBusyStart(start, wallNow);
        if (busy > start) {
          this.nextToClose = busy;
          continue;
        }
      }
      for (const service of active) {
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
    // A service quiet for serviceIdleMs before the oldest open window gets no more zero windows: forget it.
    const idleBefore = this.nextToClose - this.options.serviceIdleMs;
    for (const [service, s] of this.seen) {
      if (s.last >= idleBefore) continue;
      this.seen.delete(service);
      this.evictedServices++;
    }
  }

  /**
   * With no service active in the window at `start`, the first window start from which something may
   * be emitted: a pane at or after it, an older pane whose last hopping window is still to come, or the
   * first window that cannot close yet (stream time or the wall clock), where new events may still land.
   */
  private nextBusyStart(start: number, wallNow: number): number {
    const { sizeMs, graceMs } = this.options.spec;
    const hop = this.options.hopping;
    let busy = (Math.floor((Math.min(this.streamTime - graceMs, wallNow) - sizeMs) / sizeMs) + 1) * sizeMs;
    for (const panes of this.services.values()) {
      for (const k of panes.paneIndices()) {
        const from = k * sizeMs;
        const lastUse = hop ? windowsOfPane(this.geometry, k).to * hop.advanceMs - sizeMs : from;
        if (lastUse >= start) busy = Math.min(busy, Math.max(start, from));
      }
    }
    return Math.max(start, busy);
  }

  /** The start of the oldest tumbling window that stream time `t` has not closed. */
  private firstOpenStart(t: number): number {
    const { sizeMs, graceMs } = this.options.spec;
    return (Math.floor((t - graceMs - sizeMs) / sizeMs) + 1) * sizeMs;
  }

  private replayed(offset: string): boolean {
    if (this.replayBefore === null) return false;
    if (BigInt(offset) < this.replayBefore) return true;
    this.replayBefore = null;
    return false;
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
