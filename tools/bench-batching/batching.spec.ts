import { dueBy, LagSample, loadPhases, PhaseSpan, StrategyFigures, strategyFigures, verdicts } from './batching';

const spans: PhaseSpan[] = [
  { name: 'low', eventsPerSecond: 1_000, seconds: 10, start: 0, end: 10_000, produced: 10_000 },
  { name: 'spike', eventsPerSecond: 10_000, seconds: 10, start: 10_000, end: 20_000, produced: 100_000 },
  { name: 'after', eventsPerSecond: 1_000, seconds: 10, start: 20_000, end: 30_000, produced: 10_000 },
];

describe(loadPhases.name, () => {
  it('is low, a spike, then low again', () => {
    expect(loadPhases(2_000, 20_000, 20, 20, 30).map((p) => [p.name, p.eventsPerSecond, p.seconds])).toEqual([
      ['warmup', 2_000, 3],
      ['low', 2_000, 20],
      ['spike', 20_000, 20],
      ['after', 2_000, 30],
    ]);
  });
});

describe(dueBy.name, () => {
  it('follows the rate without rounding drift', () => {
    expect(dueBy(2_000, 1_234)).toBe(2_468);
    expect(dueBy(3, 999)).toBe(2);
  });
});

describe(strategyFigures.name, () => {
  it('measures latency after grace, peak lag and delay, consumed rate and the drain back to the pre-spike delay', () => {
    const lag: LagSample[] = [];
    let committed = 0;
    for (let t = 0; t <= 30_000; t += 1_000) {
      const behind = t <= 10_000 ? 100 : t <= 20_000 ? (t - 10_000) * 5 : Math.max(100, 50_000 - (t - 20_000) * 10);
      committed += t <= 10_000 ? 1_000 : 5_000;
      lag.push({ t, lag: behind, committed, delayMs: behind / 10 });
    }
    const windows = [
      { windowEnd: 5_000, readAt: 5_300 },
      { windowEnd: 6_000, readAt: 6_250 },
      { windowEnd: 15_000, readAt: 17_200 },
    ];
    const f = strategyFigures(spans, windows, lag, 200);
    expect(f.phases.low).toMatchObject({
      windows: 2,
      latency_p50_ms: 50,
      latency_p99_ms: 100,
      peak_lag: 100,
      peak_delay_ms: 10,
      consumed_events_per_s: 1_000,
      produced_events_per_s: 1_000,
    });
    expect(f.phases.spike).toMatchObject({
      windows: 1,
      latency_p99_ms: 2_000,
      peak_lag: 50_000,
      peak_delay_ms: 5_000,
      consumed_events_per_s: 5_000,
    });
    expect(f.baseline_delay_ms).toBe(10);
    // 5,000 ms behind at the end of the spike, −1,000 ms a second: back to 10 ms five seconds later.
    expect(f.drain_s).toBe(5);
  });

  it('leaves the warm-up out and counts a lag under the floor as drained', () => {
    const warm: PhaseSpan = { name: 'warmup', eventsPerSecond: 1_000, seconds: 1, start: -1_000, end: 0, produced: 1_000 };
    const lag: LagSample[] = [
      { t: 6_000, lag: 0, committed: 0, delayMs: 0 },
      { t: 15_000, lag: 9_000, committed: 0, delayMs: 9_000 },
      { t: 21_000, lag: 400, committed: 0, delayMs: 400 },
    ];
    const f = strategyFigures([warm, ...spans], [{ windowEnd: -500, readAt: 0 }], lag, 200, 500);
    expect(Object.keys(f.phases)).toEqual(['low', 'spike', 'after']);
    expect(f.baseline_delay_ms).toBe(500);
    expect(f.drain_s).toBe(1);
  });

  it('has no drain time when the lag never came back within the run', () => {
    const lag: LagSample[] = [
      { t: 5_000, lag: 10, committed: 0, delayMs: 10 },
      { t: 15_000, lag: 9_000, committed: 0, delayMs: 9_000 },
      { t: 25_000, lag: 8_000, committed: 0, delayMs: 8_000 },
    ];
    expect(strategyFigures(spans, [], lag, 200).drain_s).toBeNull();
  });
});

describe(verdicts.name, () => {
  const figures = (lowP99: number, drain: number | null, afterP99: number): StrategyFigures => ({
    phases: {
      low: {
        produced_events_per_s: 0,
        consumed_events_per_s: 0,
        windows: 1,
        latency_p50_ms: 0,
        latency_p99_ms: lowP99,
        peak_lag: 0,
        peak_delay_ms: 0,
      },
      spike: {
        produced_events_per_s: 0,
        consumed_events_per_s: 0,
        windows: 1,
        latency_p50_ms: 0,
        latency_p99_ms: 0,
        peak_lag: 0,
        peak_delay_ms: 0,
      },
      after: {
        produced_events_per_s: 0,
        consumed_events_per_s: 0,
        windows: 1,
        latency_p50_ms: 0,
        latency_p99_ms: afterP99,
        peak_lag: 0,
        peak_delay_ms: 0,
      },
    },
    drain_s: drain,
    baseline_delay_ms: 0,
  });

  it('names the best strategy per phase and whether adaptive is within 10 % of it', () => {
    const v = verdicts({ small: figures(100, null, 100), large: figures(900, 2, 900), adaptive: figures(105, 3, 150) });
    expect(v.low).toMatchObject({ best: 'small', adaptive: 105, adaptive_within_10_percent: true });
    expect(v.spike).toMatchObject({ best: 'large', by: 'drain_s', adaptive_within_10_percent: false });
    expect(verdicts({ large: figures(0, 0, 0), adaptive: figures(0, 0.2, 0) }).spike.adaptive_within_10_percent).toBe(true);
    expect(v.after).toMatchObject({ best: 'small', adaptive_within_10_percent: false });
  });
});
