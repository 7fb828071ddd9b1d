import { best, memoryTrend, parseProducerPerformance, summariseSize } from './bench';

describe(parseProducerPerformance.name, () => {
  it('reads the summary line after the progress lines', () => {
    const out = [
      '352417 records sent, 70483.4 records/sec (13.18 MB/sec), 1201.3 ms avg latency, 1836.0 ms max latency.',
      '1000000 records sent, 76335.9 records/sec (14.56 MB/sec), 1683.56 ms avg latency, 2474.00 ms max latency, 1656 ms 50th, 2295 ms 95th, 2407 ms 99th, 2464 ms 99.9th.',
      '',
    ].join('\n');
    expect(parseProducerPerformance(out)).toEqual({ records: 1_000_000, records_per_s: 76_336, mb_per_s: 14.56, p99_ms: 2407 });
  });

  it('fails with the output when there is no summary', () => {
    expect(() => parseProducerPerformance('Exception in thread "main"')).toThrow(/no ProducerPerformance summary/);
  });
});

describe(summariseSize.name, () => {
  it('turns accepted requests into events/s over the measured time and picks the best size', () => {
    const one = summariseSize({
      batch: 1,
      concurrency: 2,
      seconds: 2,
      requests: 10,
      accepted: 10,
      failures: {},
      latenciesMs: Array.from({ length: 10 }, (_, i) => i + 1),
    });
    const many = summariseSize({
      batch: 100,
      concurrency: 2,
      seconds: 2,
      requests: 5,
      accepted: 4,
      failures: { '503': 1 },
      latenciesMs: [10, 10, 10, 10],
    });
    expect([one.events_per_s, many.events_per_s, many.requests_per_s]).toEqual([5, 200, 2]);
    expect(one.p50_ms).toBeCloseTo(5, 0);
    expect(best([one, many]).batch).toBe(100);
  });
});

describe(memoryTrend.name, () => {
  it('fits the growth per minute after the first minute, ignoring the warm-up', () => {
    const samples = Array.from({ length: 13 }, (_, i) => ({
      s: i * 10,
      rss_mb: i < 6 ? 100 + i * 20 : 200 + (i - 6) * 0.5,
      heap_used_mb: 50,
    }));
    const t = memoryTrend(samples);
    expect(t.rss_mb_per_min).toBeCloseTo(3, 5); // 0.5 MB per 10 s
    expect(t.heap_used_mb_per_min).toBe(0);
    expect([t.samples, t.rss_mb_at_1_min, t.rss_mb_at_end]).toEqual([13, 200, 203]);
  });

  it('says nothing about a run too short to tell', () => {
    expect(memoryTrend([{ s: 0, rss_mb: 1, heap_used_mb: 1 }]).rss_mb_per_min).toBeNull();
  });
});
