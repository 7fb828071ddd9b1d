import { best, parseProducerPerformance, summariseSize } from './bench';

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
    const one = summariseSize({ batch: 1, concurrency: 2, seconds: 2, requests: 10, accepted: 10, failures: {}, latenciesMs: Array.from({ length: 10 }, (_, i) => i + 1) });
    const many = summariseSize({ batch: 100, concurrency: 2, seconds: 2, requests: 5, accepted: 4, failures: { '503': 1 }, latenciesMs: [10, 10, 10, 10] });
    expect([one.events_per_s, many.events_per_s, many.requests_per_s]).toEqual([5, 200, 2]);
    expect(one.p50_ms).toBeCloseTo(5, 0);
    expect(best([one, many]).batch).toBe(100);
  });
});
