import { DDSketch } from '@datadog/sketches-js';
import type { TelemetryEvent, WindowKind, WindowMetric } from '@smartscale/contracts';

/** 1 % relative accuracy: p99 of a 200 ms latency is within ±2 ms, in a few kB per window. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const isError = (e: TelemetryEvent): boolean => e.type === 'error' || (e.status !== undefined && e.status >= 500);

/**
 * What a window reports about its events, in a form that merges: counts add and the latency sketches
 * merge (DDSketch keeps its relative accuracy when merged, and the merge adds bin counts, so merging
 * pane tallies gives the same quantiles as one sketch fed every event). No de-duplication here:
 * callers decide which events count (see ServicePanes).
 */
export class Tally {
  count = 0;
  errors = 0;
  readonly byType: Record<string, number> = {};
  readonly latency = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });

  add(e: TelemetryEvent): void {
    this.count++;
    this.byType[e.type] = (this.byType[e.type] ?? 0) + 1;
    if (isError(e)) this.errors++;
    if (e.latencyMs !== undefined) this.latency.accept(e.latencyMs);
  }

  merge(other: Tally): void {
    this.count += other.count;
    this.errors += other.errors;
    for (const [type, n] of Object.entries(other.byType)) this.byType[type] = (this.byType[type] ?? 0) + n;
    this.latency.merge(other.latency);
  }

  /** One tally of several, merged into a new one; the only one itself when there is one (tallies of closed panes do not change). */
  static of(tallies: Tally[]): Tally {
    if (tallies.length === 1) return tallies[0];
    const sum = new Tally();
    for (const t of tallies) sum.merge(t);
    return sum;
  }
}

/** One closed window of one service, ready to be emitted. */
export class WindowAggregate {
  constructor(
    readonly service: string,
    readonly start: number,
    readonly end: number,
    readonly kind: WindowKind = 'tumbling',
    readonly tally: Tally = new Tally(),
    /** Retries of an event id already counted in this window, not counted again. */
    readonly duplicates = 0,
  ) {}

  toMetric(partition: number, consumerLag: number, emittedAt: number): WindowMetric {
    const { tally } = this;
    const seconds = (this.end - this.start) / 1000;
    const q = (p: number): number | null => (tally.latency.count > 0 ? round(tally.latency.getValueAtQuantile(p)) : null);
    return {
      v: 1,
      kind: this.kind,
      service: this.service,
      windowStart: this.start,
      windowEnd: this.end,
      count: tally.count,
      eventsPerSecond: tally.count / seconds,
      errorCount: tally.errors,
      errorRate: tally.count > 0 ? tally.errors / tally.count : 0,
      countByType: { ...tally.byType },
      latencyP50: q(0.5),
      latencyP95: q(0.95),
      latencyP99: q(0.99),
      consumerLag,
      partition,
      emittedAt,
    };
  }
}

const round = (n: number): number => Math.round(n * 100) / 100;
