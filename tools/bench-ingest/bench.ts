import { DDSketch } from '@datadog/sketches-js';

/** What one load worker measured: closed-loop requests of one batch size. */
export interface LoadResult {
  batch: number;
  concurrency: number;
  seconds: number;
  requests: number;
  /** Requests answered 202. */
  accepted: number;
  /** HTTP status (or "error") → requests, for everything but 202. */
  failures: Record<string, number>;
  /** Round trip of every 202 request, ms. */
  latenciesMs: number[];
}

export interface SizeSummary {
  batch: number;
  concurrency: number;
  requests: number;
  events_per_s: number;
  requests_per_s: number;
  p50_ms: number | null;
  p99_ms: number | null;
  failures: Record<string, number>;
}

export interface BrokerCeiling {
  records: number;
  records_per_s: number;
  mb_per_s: number;
  p99_ms: number;
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function summariseSize(r: LoadResult): SizeSummary {
  const sketch = new DDSketch({ relativeAccuracy: 0.01 });
  for (const ms of r.latenciesMs) sketch.accept(Math.max(0.001, ms));
  const q = (p: number): number | null => (sketch.count > 0 ? round(sketch.getValueAtQuantile(p), 2) : null);
  return {
    batch: r.batch,
    concurrency: r.concurrency,
    requests: r.requests,
    events_per_s: Math.round((r.accepted * r.batch) / r.seconds),
    requests_per_s: Math.round(r.accepted / r.seconds),
    p50_ms: q(0.5),
    p99_ms: q(0.99),
    failures: r.failures,
  };
}

/**
 * ProducerPerformance's final line, e.g. "1000000 records sent, 76335.9 records/sec (14.56 MB/sec),
 * 1683.56 ms avg latency, 2474.00 ms max latency, 1656 ms 50th, 2295 ms 95th, 2407 ms 99th, 2464 ms 99.9th."
 */
export function parseProducerPerformance(output: string): BrokerCeiling {
  const line = output
    .split('\n')
    .reverse()
    .find((l) => /records sent, [\d.]+ records\/sec/.test(l));
  if (!line) throw new Error(`no ProducerPerformance summary in its output:\n${output.slice(-2000)}`);
  const num = (re: RegExp): number => Number(re.exec(line)?.[1] ?? NaN);
  return {
    records: num(/^(\d+) records sent/),
    records_per_s: Math.round(num(/([\d.]+) records\/sec/)),
    mb_per_s: num(/\(([\d.]+) MB\/sec\)/),
    p99_ms: num(/([\d.]+) ms 99th/),
  };
}

/** The batch size with the most accepted events per second. */
export function best(sizes: SizeSummary[]): SizeSummary {
  return sizes.reduce((a, b) => (b.events_per_s > a.events_per_s ? b : a));
}

/** The process's memory at one moment of a run, `s` seconds after the load started. */
export interface MemorySample {
  s: number;
  rss_mb: number;
  heap_used_mb: number;
}

export interface MemoryTrend {
  samples: number;
  /** least-squares slope over the samples after the first minute (warm-up: JIT, pools, buffers) */
  rss_mb_per_min: number | null;
  heap_used_mb_per_min: number | null;
  rss_mb_at_1_min: number | null;
  rss_mb_at_end: number | null;
}

const slopePerMinute = (points: [number, number][]): number | null => {
  if (points.length < 3) return null;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  return Math.round((sxy / sxx) * 60 * 100) / 100;
};

/** Whether RSS is flat: its growth per minute once warmed up, and the heap's beside it (a leak grows both). */
export function memoryTrend(samples: MemorySample[]): MemoryTrend {
  const warm = samples.filter((m) => m.s >= 60);
  return {
    samples: samples.length,
    rss_mb_per_min: slopePerMinute(warm.map((m) => [m.s, m.rss_mb])),
    heap_used_mb_per_min: slopePerMinute(warm.map((m) => [m.s, m.heap_used_mb])),
    rss_mb_at_1_min: warm[0]?.rss_mb ?? null,
    rss_mb_at_end: samples.at(-1)?.rss_mb ?? null,
  };
}
