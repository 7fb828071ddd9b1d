import type { TelemetryEvent } from '@smartscale/contracts';
import { decodeCheckpoint, encodeCheckpoint, PartitionWindows } from './partition-windows';
import { hopping, tumbling, windowsFor } from './windows';

const T0 = 1_700_000_000_000; // a multiple of 10 s
let seq = 0;
const ev = (time: number, over: Partial<TelemetryEvent> = {}): TelemetryEvent => ({
  v: 1,
  id: `e${seq++}`,
  service: 'checkout',
  type: 'request',
  time,
  ...over,
});
const options = { spec: tumbling(10_000, 2_000), serviceIdleMs: 60_000, partitionIdleMs: 5_000 };

describe('windowsFor', () => {
  it('assigns an event to exactly one tumbling window, aligned to the epoch', () => {
    expect(windowsFor(T0 + 9_999, tumbling(10_000, 0))).toEqual([{ start: T0, end: T0 + 10_000 }]);
    expect(windowsFor(T0 + 10_000, tumbling(10_000, 0))).toEqual([{ start: T0 + 10_000, end: T0 + 20_000 }]);
  });

  it('assigns an event to size/advance hopping windows, oldest first', () => {
    const ws = windowsFor(T0 + 5_000, hopping(60_000, 10_000, 0));
    expect(ws).toHaveLength(6);
    expect(ws[0]).toEqual({ start: T0 - 50_000, end: T0 + 10_000 });
    expect(ws[5]).toEqual({ start: T0, end: T0 + 60_000 });
  });

  it('rejects a hopping advance that does not divide the size', () => {
    expect(() => hopping(60_000, 7_000, 0)).toThrow(/multiple/);
  });
});

describe(PartitionWindows.name, () => {
  it('closes a window only when stream time passes its end plus grace', () => {
    const p = new PartitionWindows(0, options);
    p.add(ev(T0 + 1_000), '0', 0);
    p.add(ev(T0 + 11_999), '1', 0);
    expect(p.closeReady()).toEqual([]);
    p.add(ev(T0 + 12_000), '2', 0);
    const closed = p.closeReady();
    expect(closed.map((a) => [a.start, a.toMetric(0, 0, 0).count])).toEqual([[T0, 1]]);
  });

  it('accepts an out-of-order event inside the grace period and drops a later one, counting it', () => {
    const p = new PartitionWindows(0, options);
    p.add(ev(T0 + 1_000), '0', 0);
    p.add(ev(T0 + 11_000), '1', 0);
    expect(p.add(ev(T0 + 9_000), '2', 0)).toBe('accepted');
    p.add(ev(T0 + 12_500), '3', 0);
    expect(p.closeReady()[0].toMetric(0, 0, 0).count).toBe(2);
    expect(p.add(ev(T0 + 9_500), '4', 0)).toBe('late');
    expect(p.lateCount).toBe(1);
  });

  it('counts a retried event id once', () => {
    const p = new PartitionWindows(0, options);
    const e = ev(T0 + 1_000);
    p.add(e, '0', 0);
    p.add({ ...e }, '1', 0);
    p.add(ev(T0 + 20_000), '2', 0);
    const [first] = p.closeReady();
    expect([first.toMetric(0, 0, 0).count, first.duplicates]).toEqual([1, 1]);
  });

  it('computes events/s, error rate and latency percentiles per window', () => {
    const p = new PartitionWindows(0, options);
    for (let i = 0; i < 100; i++) p.add(ev(T0 + i * 50, { latencyMs: i + 1, status: i < 10 ? 503 : 200 }), String(i), 0);
    p.add(ev(T0 + 30_000), '100', 0);
    const m = p.closeReady()[0].toMetric(3, 7, 1);
    expect(m).toMatchObject({ count: 100, eventsPerSecond: 10, errorCount: 10, errorRate: 0.1, partition: 3, consumerLag: 7 });
    expect(m.latencyP50).toBeGreaterThanOrEqual(49);
    expect(m.latencyP50).toBeLessThanOrEqual(51);
    expect(m.latencyP99).toBeGreaterThanOrEqual(98);
  });

  it('emits zero windows for a quiet service and none for a service not yet seen', () => {
    const p = new PartitionWindows(0, options);
    p.add(ev(T0 + 1_000), '0', 0);
    p.add(ev(T0 + 35_000, { service: 'late-comer' }), '1', 0);
    const closed = p.closeReady().map((a) => `${a.service}@${(a.start - T0) / 1000}:${a.toMetric(0, 0, 0).count}`);
    expect(closed).toEqual(['checkout@0:1', 'checkout@10:0', 'checkout@20:0']);
  });

  it('advances stream time with the wall clock when idle, so the last window of a burst closes', () => {
    const p = new PartitionWindows(0, options);
    p.add(ev(T0 + 1_000), '0', T0 + 1_500); // the event arrived 0.5 s after its time
    expect(p.closeReady()).toEqual([]);
    p.advanceIfIdle(T0 + 5_000);
    expect(p.currentStreamTime).toBe(T0 + 1_000); // not idle long enough yet
    p.advanceIfIdle(T0 + 12_500);
    expect(p.currentStreamTime).toBe(T0 + 12_000);
    expect(p.closeReady().map((a) => a.start)).toEqual([T0]);
  });

  it('commits no further than the first offset of the oldest open window', () => {
    const p = new PartitionWindows(0, options);
    p.add(ev(T0 + 1_000), '10', 0);
    p.add(ev(T0 + 11_000), '11', 0);
    expect(p.commitOffset('12')).toBe('10');
    p.add(ev(T0 + 12_000), '12', 0);
    p.closeReady();
    expect(p.commitOffset('13')).toBe('11');
  });

  it('closes a window opened by an out-of-order event older than the first one', () => {
    const p = new PartitionWindows(0, options);
    p.add(ev(T0 + 10_500), '0', 0);
    expect(p.add(ev(T0 + 9_000), '1', 0)).toBe('accepted');
    p.add(ev(T0 + 30_000), '2', 0);
    expect(p.closeReady().map((a) => [(a.start - T0) / 1000, a.toMetric(0, 0, 0).count])).toEqual([
      [0, 1],
      [10, 1],
    ]);
    expect(p.commitOffset('3')).toBe('2');
  });

  it('resumes from a checkpoint without re-emitting or re-opening windows emitted before it', () => {
    const first = new PartitionWindows(0, options);
    first.add(ev(T0 + 1_000), '0', 0);
    first.add(ev(T0 + 11_000), '1', 0);
    first.add(ev(T0 + 12_500), '2', 0);
    expect(first.closeReady().map((a) => a.start)).toEqual([T0]);
    const metadata = encodeCheckpoint(first.checkpoint());
    const offset = first.commitOffset('3');
    expect(offset).toBe('1');

    const resumed = PartitionWindows.resume(0, options, decodeCheckpoint(metadata), 0);
    expect(resumed.add(ev(T0 + 11_000), '1', 0)).toBe('accepted');
    expect(resumed.add(ev(T0 + 9_000), '2b', 0)).toBe('late'); // its window was emitted before the crash
    resumed.add(ev(T0 + 22_000), '3', 0);
    expect(resumed.closeReady().map((a) => [(a.start - T0) / 1000, a.toMetric(0, 0, 0).count])).toEqual([[10, 1]]);
  });

  it('reads back only checkpoints it wrote', () => {
    expect(decodeCheckpoint(null)).toBeNull();
    expect(decodeCheckpoint('')).toBeNull();
    expect(decodeCheckpoint(encodeCheckpoint({ streamTime: T0, closedBefore: null }))).toEqual({ streamTime: T0, closedBefore: null });
    expect(() => decodeCheckpoint('w1:[1]')).toThrow(/unreadable/);
    expect(() => decodeCheckpoint('w1:[1,2,3]')).toThrow(/unreadable/);
  });

  it('carries the consumer position beside the replay offset, and reads checkpoints written without it', () => {
    const withPosition = { streamTime: T0, closedBefore: T0 - 10_000, position: '9007199254740993' };
    expect(decodeCheckpoint(encodeCheckpoint(withPosition))).toEqual(withPosition);
    const packed = { ...withPosition, eventsPerRecord: 187.5 };
    expect(decodeCheckpoint(encodeCheckpoint(packed))).toEqual(packed);
    expect(() => decodeCheckpoint(`w1:[${T0},null,"5",0]`)).toThrow(/unreadable/);
    expect(decodeCheckpoint(`w1:[${T0},null]`)).toEqual({ streamTime: T0, closedBefore: null });
  });
});
