import type { BatchMetric } from '@smartscale/contracts';
import { BatchMetricsPublisher, BatchMetricsSink } from './batch-metrics.adapter';

const batch = (records: number): BatchMetric => ({
  v: 1,
  instance: 'a',
  partitions: [0],
  records,
  bytes: 0,
  fetchWaitMs: 0,
  processingMs: 0,
  commitMs: 0,
  lagBefore: 0,
  lagAfter: 0,
  settings: { commitIntervalMs: 100, maxBatchRecords: 1_000, mode: 'fixed' },
  startedAt: 0,
  committedAt: 0,
});

/** A sink whose sends resolve only when the test says so: a slow broker. */
function slowSink(): BatchMetricsSink & { groups: number[][]; release(): void; fail(): void } {
  let settle: { ok: () => void; ko: (e: Error) => void } | null = null;
  const groups: number[][] = [];
  return {
    groups,
    send: (records) => {
      groups.push(records.map((r) => r.records));
      return new Promise<void>((ok, ko) => (settle = { ok, ko }));
    },
    close: async () => undefined,
    release: () => settle?.ok(),
    fail: () => settle?.ko(new Error('broker down')),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe(BatchMetricsPublisher.name, () => {
  it('sends what accumulated as one group, with one group in flight at most', async () => {
    const sink = slowSink();
    const p = new BatchMetricsPublisher(sink, () => undefined, { capacity: 100, flushMs: 1_000 });
    p.record(batch(1));
    p.record(batch(2));
    p.flush();
    p.record(batch(3));
    p.flush(); // the first group is still in flight: nothing sent
    expect(sink.groups).toEqual([[1, 2]]);
    sink.release();
    await tick();
    p.flush();
    expect(sink.groups).toEqual([[1, 2], [3]]);
  });

  it('drops the oldest records and counts them when the broker is slower than the batches', () => {
    const sink = slowSink();
    let dropped = 0;
    const p = new BatchMetricsPublisher(sink, (n) => (dropped += n), { capacity: 3, flushMs: 1_000 });
    p.record(batch(0));
    p.flush(); // in flight, never released
    for (let i = 1; i <= 5; i++) p.record(batch(i));
    expect(dropped).toBe(2);
    expect(p.buffered).toBe(3);
  });

  it('counts a failed group as dropped and goes on with the next', async () => {
    const sink = slowSink();
    let dropped = 0;
    const p = new BatchMetricsPublisher(sink, (n) => (dropped += n), { capacity: 10, flushMs: 1_000 });
    p.record(batch(1));
    p.record(batch(2));
    p.flush();
    sink.fail();
    await tick();
    expect(dropped).toBe(2);
    p.record(batch(3));
    p.flush();
    expect(sink.groups).toEqual([[1, 2], [3]]);
  });
});
