import { TelemetryEvent, WindowKind, windowKind, WindowMetric } from '@smartscale/contracts';
import { seededRandom } from '@smartscale/testing';
import { PartitionWindows, PartitionWindowsOptions, WindowCheckpoint } from './partition-windows';
import { SKETCH_RELATIVE_ACCURACY } from './window-aggregate';
import { hopping, tumbling } from './windows';

// Randomized streams against a brute-force recomputation, including crashes at random batch
// boundaries that resume from the last (offset, checkpoint) commit, as the aggregator does.

const T0 = 1_700_000_000_000;
const SIZE = 10_000;
const GRACE = 2_000;
const HOP_SIZE = 6 * SIZE;
const optionsFor = (hopAdvance: number | null): PartitionWindowsOptions => ({
  spec: tumbling(SIZE, GRACE),
  hopping: hopAdvance === null ? null : hopping(HOP_SIZE, hopAdvance, GRACE),
  serviceIdleMs: 3_600_000,
  partitionIdleMs: 3_600_000,
});

/**
 * Events drifting forward in time, some out of order within grace, some far beyond it (too late for
 * their tumbling window, not always for the hopping ones), some retried with the same time and some
 * retried with another one (a client that re-stamps its retries), so that one id can sit in two panes.
 */
function randomStream(seed: number, n: number): TelemetryEvent[] {
  const r = seededRandom(seed);
  const services = ['checkout', 'search', 'cart', 'auth'];
  const out: TelemetryEvent[] = [];
  let now = T0 + Math.floor(r() * SIZE);
  for (let i = 0; i < n; i++) {
    now += Math.floor(r() * 120);
    const roll = r();
    if (roll < 0.08 && out.length > 0) {
      const original = out[Math.floor(r() * out.length)];
      const restamped = roll < 0.04 ? Math.floor((r() - 0.5) * 4 * SIZE) : 0;
      out.push({ ...original, time: Math.max(T0, original.time + restamped) }); // a client's retry: same id, anywhere later
      continue;
    }
    const skew = roll < 0.3 ? Math.floor(r() * (GRACE + 1500)) : roll < 0.35 ? Math.floor(r() * 4 * SIZE) : 0;
    out.push({
      v: 1,
      id: `${seed}-${i}`,
      service: services[Math.floor(r() * services.length)],
      type: r() < 0.1 ? 'error' : 'request',
      time: now - skew,
      latencyMs: 1 + Math.floor(r() * 1000),
    });
  }
  return out;
}

interface Expected {
  count: number;
  latencies: number[];
}

/**
 * The definition, computed the slow way, one window at a time (Kafka Streams' semantics): stream time =
 * max time seen; each window takes an event until stream time passes its end plus grace, and counts
 * each id once.
 */
function bruteForce(events: TelemetryEvent[], hopAdvance: number | null): Map<string, Expected> {
  let streamTime = -Infinity;
  const windows = new Map<string, Expected & { ids: Set<string> }>();
  for (const e of events) {
    const containing: { kind: WindowKind; start: number; size: number }[] = [
      { kind: 'tumbling', start: e.time - (e.time % SIZE), size: SIZE },
    ];
    if (hopAdvance !== null) {
      for (let start = e.time - (e.time % hopAdvance); start > e.time - HOP_SIZE; start -= hopAdvance)
        containing.push({ kind: 'hopping', start, size: HOP_SIZE });
    }
    for (const { kind, start, size } of containing) {
      if (streamTime >= start + size + GRACE) continue;
      const key = `${kind}:${e.service}@${start}`;
      const w = windows.get(key) ?? { count: 0, latencies: [], ids: new Set<string>() };
      windows.set(key, w);
      if (w.ids.has(e.id)) continue;
      w.ids.add(e.id);
      w.count++;
      w.latencies.push(e.latencyMs ?? 0);
    }
    streamTime = Math.max(streamTime, e.time);
  }
  return new Map([...windows].filter(([, w]) => w.count > 0));
}

/** Runs the stream in random batches, committing after each and crashing at random, like the consumer. */
function runWithCrashes(
  events: TelemetryEvent[],
  options: PartitionWindowsOptions,
  seed: number,
  crashProbability: number,
): { emitted: WindowMetric[]; crashes: number } {
  const r = seededRandom(seed * 7 + 1);
  const flush: TelemetryEvent = { v: 1, id: 'flush', service: 'zz-flush', type: 'request', time: T0 + 10_000 * SIZE };
  const all = [...events, flush];
  let committed: { offset: number; checkpoint: WindowCheckpoint | null; emitted: WindowMetric[] } = {
    offset: 0,
    checkpoint: null,
    emitted: [],
  };
  let pw = PartitionWindows.resume(0, options, null, 0);
  let pending: WindowMetric[] = [];
  let next = 0;
  let crashes = 0;
  while (next < all.length) {
    const end = Math.min(all.length, next + 1 + Math.floor(r() * 60));
    for (; next < end; next++) pw.add(all[next], String(next), 0);
    pending.push(...pw.closeReady().map((a) => a.toMetric(0, 0, 0)));
    if (r() < crashProbability) {
      // Crash before the commit: this batch's output aborts, and a new owner resumes from the last commit.
      crashes++;
      pending = [];
      pw = PartitionWindows.resume(0, options, committed.checkpoint, 0);
      next = committed.offset;
      continue;
    }
    committed = { offset: Number(pw.commitOffset(String(next))), checkpoint: pw.checkpoint(), emitted: [...committed.emitted, ...pending] };
    pending = [];
  }
  return { emitted: committed.emitted.filter((m) => m.service !== 'zz-flush'), crashes };
}

/** Every window emitted once (zero windows included), and the non-empty ones exactly the expected ones. */
function expectWindows(emitted: WindowMetric[], expected: Map<string, Expected>): void {
  const keys = emitted.map((m) => `${windowKind(m)}:${m.service}@${m.windowStart}`);
  expect(keys.length - new Set(keys).size).toBe(0);
  const nonEmpty = new Map(emitted.filter((m) => m.count > 0).map((m) => [`${windowKind(m)}:${m.service}@${m.windowStart}`, m]));
  expect([...nonEmpty.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, want] of expected) {
    const got = nonEmpty.get(key)!;
    expect([key, got.count]).toEqual([key, want.count]);
    const sorted = [...want.latencies].sort((a, b) => a - b);
    for (const [q, value] of [
      [0.5, got.latencyP50],
      [0.95, got.latencyP95],
      [0.99, got.latencyP99],
    ] as const) {
      // DDSketch's quantile is the value at rank floor(q·(n-1)), within its relative accuracy (then rounded to 0.01).
      const exact = sorted[Math.floor(q * (sorted.length - 1))];
      expect(value).toBeGreaterThanOrEqual(exact * (1 - SKETCH_RELATIVE_ACCURACY) - 0.01);
      expect(value).toBeLessThanOrEqual(exact * (1 + SKETCH_RELATIVE_ACCURACY) + 0.01);
    }
  }
}

describe(`${PartitionWindows.name} on random streams`, () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'emits every tumbling and hopping window exactly once with exact counts, across crashes (seed %i)',
    (seed) => {
      // Half the seeds hop by one pane, half by two.
      const hopAdvance = seed % 4 < 2 ? SIZE : 2 * SIZE;
      const events = randomStream(seed, 3_000);
      const expected = bruteForce(events, hopAdvance);
      const { emitted, crashes } = runWithCrashes(events, optionsFor(hopAdvance), seed, seed % 2 === 0 ? 0 : 0.15);
      if (seed % 2 === 1) expect(crashes).toBeGreaterThan(3);
      expect(emitted.filter((m) => m.kind === 'hopping' && m.count > 0).length).toBeGreaterThan(40);
      expectWindows(emitted, expected);
    },
  );

  it('emits the same tumbling windows with hopping windows as without them', () => {
    const events = randomStream(9, 3_000);
    const tumblingOnly = runWithCrashes(events, optionsFor(null), 9, 0.15).emitted;
    expect(tumblingOnly.every((m) => m.kind === 'tumbling')).toBe(true);
    expectWindows(tumblingOnly, bruteForce(events, null));
    const withHopping = runWithCrashes(events, optionsFor(SIZE), 9, 0.15).emitted.filter((m) => m.kind === 'tumbling');
    // Zero windows may differ after a restart (the replay starts earlier with hopping windows on); results may not.
    const results = (ms: WindowMetric[]): [string, Partial<WindowMetric>][] =>
      ms
        .filter((m) => m.count > 0)
        .map(
          ({ service, windowStart, count, errorCount, countByType, latencyP50, latencyP95, latencyP99 }) =>
            [`${service}@${windowStart}`, { count, errorCount, countByType, latencyP50, latencyP95, latencyP99 }] as [
              string,
              Partial<WindowMetric>,
            ],
        )
        .sort(([a], [b]) => a.localeCompare(b));
    expect(results(withHopping)).toEqual(results(tumblingOnly));
  });
});
