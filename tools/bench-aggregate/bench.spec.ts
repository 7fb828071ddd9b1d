import { cpuSecondsFromStat, parseConsumerPerformance, percentile } from './bench';

describe(parseConsumerPerformance.name, () => {
  it('reads the summary line of ConsumerPerformance', () => {
    const out =
      'WARN something\nstart.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n' +
      '2026-11-23 17:20:01:123, 2026-11-23 17:20:04:456, 95.3674, 28.6131, 500000, 150015.0015, 512, 2821, 33.8062, 177242.1127\n';
    expect(parseConsumerPerformance(out)).toEqual({
      messages: 500_000,
      messages_per_s: 150015.0015,
      fetch_messages_per_s: 177242.1127,
      mb_per_s: 33.8062,
    });
  });

  it('fails with the output when the tool did not finish', () => {
    expect(() => parseConsumerPerformance('Exception in thread "main"')).toThrow(/no ConsumerPerformance summary/);
  });
});

describe(percentile.name, () => {
  it('takes the nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(
      percentile(
        [...Array(100).keys()].map((i) => i + 1),
        99,
      ),
    ).toBe(99);
    expect(percentile([], 99)).toBeNull();
  });
});

describe(cpuSecondsFromStat.name, () => {
  it('adds user and system time, with a command name that has spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 100 0 0';
    expect(cpuSecondsFromStat(stat)).toBe(3);
  });
});
