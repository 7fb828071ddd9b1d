import type { TelemetryEvent, WindowMetric } from '@smartscale/contracts';
import { seededRandom } from '@smartscale/testing';
import { PartitionWindows, PartitionWindowsOptions, WindowCheckpoint } from './partition-windows';
import { tumbling } from './windows';

// Randomized streams against a brute-force recomputation, including crashes at random batch
// boundaries that resume from the last (offset, checkpoint) commit, as the aggregator does.

const T0 = 1_700_000_000_000;
const SIZE = 10_000;
const GRACE = 2_000;
const options: PartitionWindowsOptions = { spec: tumbling(SIZE, GRACE), serviceIdleMs: 3_600_000, partitionIdleMs: 3_600_000 };


/** Events drifting forward in time, some out of order within grace, some far beyond it, some retried. */
function randomStream(seed: number, n: number): TelemetryEvent[] {
  const r = seededRandom(seed);
  const services = ['checkout', 'search', 'cart', 'auth'];
  const out: TelemetryEvent[] = [];
  let now = T0 + Math.floor(r() * SIZE);
  for (let i = 0; i < n; i++) {
    now += Math.floor(r() * 120);
    const roll = r();
    if (roll < 0.08 && out.length > 0) {
      out.push({ ...out[Math.floor(r() * out.length)] }); // a client's retry: same id, anywhere later
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

/** The definition, computed the slow way: stream time = max accepted time; late = its window closed. */
function bruteForce(events: TelemetryEvent[]): Map<string, Expected> {
  let streamTime = -Infinity;
  const windows = new Map<string, Expected & { ids: Set<string> }>();
  for (const e of events) {
    const start = e.time - (e.time % SIZE);
    if (streamTime >= start + SIZE + GRACE) continue;
    streamTime = Math.max(streamTime, e.time);
    const key = `${e.service}@${start}`;
    const w = windows.get(key) ?? { count: 0, latencies: [], ids: new Set<string>() };
    windows.set(key, w);
    if (w.ids.has(e.id)) continue;
    w.ids.add(e.id);
    w.count++;
    w.latencies.push(e.latencyMs ?? 0);
  }
  return windows;
}

/** Runs the stream in random batches, committing after each and crashing at random, like the consumer. */
function runWithCrashes(events: TelemetryEvent[], seed: number, crashProbability: number): { emitted: WindowMetric[]; crashes: number } {
  const r = seededRandom(seed * 7 + 1);
  const flush: TelemetryEvent = { v: 1, id: 'flush', service: 'zz-flush', type: 'request', time: T0 + 10_000 * SIZE };
  const all = [...events, flush];
  let committed: { offset: number; checkpoint: WindowCheckpoint | null; emitted: WindowMetric[] } = { offset: 0, checkpoint: null, emitted: [] };
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

describe(`${PartitionWindows.name} on random streams`, () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('emits every window exactly once with exact counts, across crashes (seed %i)', (seed) => {
    const events = randomStream(seed, 3_000);
    const expected = bruteForce(events);
    const { emitted, crashes } = runWithCrashes(events, seed, seed % 2 === 0 ? 0 : 0.15);
    if (seed % 2 === 1) expect(crashes).toBeGreaterThan(3);

    const keys = emitted.map((m) => `${m.service}@${m.windowStart}`);
    expect(new Set(keys).size).toBe(keys.length); // nothing doubled, zero windows included
    const nonEmpty = new Map(emitted.filter((m) => m.count > 0).map((m) => [`${m.service}@${m.windowStart}`, m]));
    expect([...nonEmpty.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, want] of expected) {
      const got = nonEmpty.get(key)!;
      expect(got.count).toBe(want.count);
      const sorted = [...want.latencies].sort((a, b) => a - b);
      for (const [q, value] of [[0.5, got.latencyP50], [0.95, got.latencyP95], [0.99, got.latencyP99]] as const) {
        const rank = q * (sorted.length - 1);
        // DDSketch's quantile is the value at rank floor(q·(n-1)), within 1 % relative accuracy (then rounded to 0.01).
        expect(value).toBeGreaterThanOrEqual(sorted[Math.floor(rank)] * 0.99 - 0.01);
        expect(value).toBeLessThanOrEqual(sorted[Math.floor(rank)] * 1.01 + 0.01);
      }
    }
  });
});
