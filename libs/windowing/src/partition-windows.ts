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
    this.nextToClose ??= windows[0].start;
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
