import { AutoSeasonalForecaster, autoSeasonalConfig, periodsInUse } from './auto-seasonal.forecaster';
import { DEFAULT_PERIOD_DETECTOR, detectPeriods } from './period-detector';
import { PeriodTracker, withHysteresis } from './period-tracker';
import { restoreForecaster } from './restore';
import { gaussian, lcgRandom } from '@smartscale/testing';

/** 10 s windows, the product's default: 7 min, 1 h and 1 day in windows. */
const SEVEN_MINUTES = 42;
const HOUR = 360;
const DAY = 8640;

/** Load with one cycle per period (amplitude 40 each), a slow trend and noise of standard deviation 15. */
function load(n: number, periods: number[], seed = 1): number[] {
  const next = lcgRandom(seed);
  return Array.from(
    { length: n },
    (_, t) => 200 + 0.001 * t + periods.reduce((sum, p) => sum + 40 * Math.sin((2 * Math.PI * t) / p), 0) + 15 * gaussian(next),
  );
}

/** Feeds a tracker and returns the step at which it first reported `period`, or null. */
function stepFound(values: number[], period: number, maxPeriod: number): number | null {
  const tracker = new PeriodTracker({ ...DEFAULT_PERIOD_DETECTOR, maxPeriod });
  for (let t = 0; t < values.length; t++) {
    tracker.push(values[t]);
    // Two noisy cycles pin the period to a few per cent; more cycles sharpen it (next spec).
    if (tracker.periods.some((p) => Math.abs(p - period) <= 0.05 * period)) return t + 1;
  }
  return null;
}

describe(PeriodTracker.name, () => {
  it.each([
    ['7 minutes', SEVEN_MINUTES],
    ['1 hour', HOUR],
  ])('finds a %s cycle of 10 s windows right after its second cycle', (_, period) => {
    const found = stepFound(load(2 * period + 80, [period], period), period, DAY);
    expect(found).not.toBeNull();
    // Not before about two cycles (lags up to 5 % past half the history are candidates), and within one re-check after.
    expect(found as number).toBeGreaterThanOrEqual(1.9 * period);
    expect(found as number).toBeLessThanOrEqual(2 * period + 61);
  });

  it('finds a 1-day cycle of 10 s windows in two days and a re-check interval (the tracker checks every 60 steps at that length)', () => {
    const found = detectPeriods(load(2 * DAY + 60, [DAY], 5), { ...DEFAULT_PERIOD_DETECTOR, maxPeriod: DAY });
    expect(found).toHaveLength(1);
    // Two noisy cycles pin a slow cycle to about 1 % (a configured hint within 5 % gives the exact length).
    expect(Math.abs(found[0].period - DAY)).toBeLessThanOrEqual(0.02 * DAY);
    expect(detectPeriods(load(1.8 * DAY, [DAY], 5), { ...DEFAULT_PERIOD_DETECTOR, maxPeriod: DAY })).toEqual([]);
  });

  it('pins the period down as cycles accumulate', () => {
    for (const period of [SEVEN_MINUTES, HOUR]) {
      const found = detectPeriods(load(5 * period, [period], period + 1), { ...DEFAULT_PERIOD_DETECTOR, maxPeriod: DAY });
      expect(found).toHaveLength(1);
      expect(Math.abs(found[0].period - period)).toBeLessThanOrEqual(Math.max(1, 0.01 * period));
    }
  });

  it('finds nothing in white noise, short or long', () => {
    for (const [n, seed] of [
      [120, 3],
      [1_000, 4],
      [20_000, 5],
    ]) {
      const next = lcgRandom(seed);
      const noise = Array.from({ length: n }, () => 100 + 10 * gaussian(next));
      expect(detectPeriods(noise, { ...DEFAULT_PERIOD_DETECTOR, maxPeriod: DAY })).toEqual([]);
    }
  });

  it('finds nothing in a trend or a random walk', () => {
    const next = lcgRandom(7);
    let level = 100;
    const walk = Array.from({ length: 3_000 }, () => (level += gaussian(next)));
    expect(detectPeriods(walk, { ...DEFAULT_PERIOD_DETECTOR, maxPeriod: DAY })).toEqual([]);
    expect(
      detectPeriods(
        Array.from({ length: 3_000 }, (_, t) => 5 + 0.1 * t),
        { ...DEFAULT_PERIOD_DETECTOR, maxPeriod: DAY },
      ),
    ).toEqual([]);
  });

  it('does not read the single hump of a wandering series as two cycles', () => {
    const next = lcgRandom(17);
    const found = Array.from({ length: 50 }, () => {
      let level = 100;
      const walk = Array.from({ length: 300 }, () => (level += gaussian(next)));
      return detectPeriods(walk, { ...DEFAULT_PERIOD_DETECTOR, maxPeriod: DAY });
    }).filter((d) => d.length > 0);
    expect(found).toEqual([]);
  });

  it('finds several periods at once, not their multiples', () => {
    const found = detectPeriods(load(4 * HOUR, [SEVEN_MINUTES, HOUR], 11), { ...DEFAULT_PERIOD_DETECTOR, maxPeriod: DAY }).map(
      (d) => d.period,
    );
    expect(found).toHaveLength(2);
    expect(Math.abs(found[0] - SEVEN_MINUTES)).toBeLessThanOrEqual(1);
    expect(Math.abs(found[1] - HOUR)).toBeLessThanOrEqual(0.03 * HOUR);
  });

  it('finds a cycle that began recently, after a long history without it, within a re-check of its second cycle', () => {
    const next = lcgRandom(31);
    const before = Array.from({ length: 3_000 }, () => 200 + 15 * gaussian(next));
    const found = stepFound([...before, ...load(4 * SEVEN_MINUTES, [SEVEN_MINUTES], 32)], SEVEN_MINUTES, DAY);
    expect(found).not.toBeNull();
    expect((found as number) - before.length).toBeLessThanOrEqual(3 * SEVEN_MINUTES);
  });

  it('keeps a period in use through two re-checks that miss it, and drops it at the third', () => {
    let state = withHysteresis([288], [], []);
    expect(state).toEqual({ periods: [288], misses: [0] });
    state = withHysteresis([], state.periods, state.misses);
    state = withHysteresis([42], state.periods, state.misses);
    expect(state).toEqual({ periods: [42, 288], misses: [0, 2] });
    expect(withHysteresis([290], state.periods, state.misses)).toEqual({ periods: [42, 290], misses: [1, 0] }); // 288 found again (within 3 %): the new estimate
    expect(withHysteresis([], state.periods, state.misses)).toEqual({ periods: [42], misses: [1] });
  });

  it('drops a cycle that stopped once the history no longer shows it', () => {
    const tracker = new PeriodTracker({ ...DEFAULT_PERIOD_DETECTOR, maxPeriod: 100 });
    load(3 * SEVEN_MINUTES, [SEVEN_MINUTES], 12).forEach((v) => tracker.push(v));
    expect(tracker.periods).toEqual([SEVEN_MINUTES]);
    const next = lcgRandom(13);
    for (let t = 0; t < tracker.capacity; t++) tracker.push(200 + 15 * gaussian(next));
    expect(tracker.periods).toEqual([]);
  });
});

describe(AutoSeasonalForecaster.name, () => {
  it('forecasts a 7-minute cycle seasonally after two cycles with nothing configured', () => {
    const f = new AutoSeasonalForecaster(autoSeasonalConfig([]));
    const values = load(6 * SEVEN_MINUTES, [SEVEN_MINUTES], 21);
    values.slice(0, 2 * SEVEN_MINUTES + 10).forEach((v) => f.learn(v));
    expect(f.periods).toEqual([expect.any(Number)]);
    expect(Math.abs(f.periods[0] - SEVEN_MINUTES)).toBeLessThanOrEqual(0.05 * SEVEN_MINUTES);
    values.slice(2 * SEVEN_MINUTES + 10, 5 * SEVEN_MINUTES).forEach((v) => f.learn(v));
    expect(f.periods).toEqual([SEVEN_MINUTES]);
    // Half a cycle ahead the load has swung by 80: a forecast that knows the cycle is within the noise.
    const ahead = f.predict(SEVEN_MINUTES / 2);
    const truth = values.slice(5 * SEVEN_MINUTES, 5 * SEVEN_MINUTES + SEVEN_MINUTES / 2);
    const mae = ahead.reduce((sum, p, i) => sum + Math.abs(p - truth[i]), 0) / ahead.length;
    expect(mae).toBeLessThan(25);
  });

  it('keeps configured periods as hints until two of their cycles are seen, and snaps a detection to a hint', () => {
    expect(periodsInUse([], [HOUR, DAY], 100)).toEqual([HOUR, DAY]);
    expect(periodsInUse([], [HOUR, DAY], 2 * HOUR + 1)).toEqual([DAY]);
    expect(periodsInUse([355, 42], [HOUR, DAY], 2 * HOUR + 1)).toEqual([42, HOUR, DAY]);
    expect(periodsInUse([], [HOUR], 2 * HOUR + 1)).toEqual([]);
  });

  it('survives a JSON round trip with its periods and forecasts', () => {
    const f = new AutoSeasonalForecaster(autoSeasonalConfig([]));
    load(3 * SEVEN_MINUTES, [SEVEN_MINUTES], 22).forEach((v) => f.learn(v));
    const copy = restoreForecaster(JSON.parse(JSON.stringify(f.toJSON())) as ReturnType<typeof f.toJSON>) as AutoSeasonalForecaster;
    expect(copy.periods).toEqual(f.periods);
    expect(copy.forecast(5)).toEqual(f.forecast(5));
    copy.learn(230);
    f.learn(230);
    expect(copy.forecast(5)).toEqual(f.forecast(5));
  });
});
