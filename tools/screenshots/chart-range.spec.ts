import { leadingRange, LoadWindow, risesOfLoad } from './chart-range';

/** The demo's cycle (tools/dev/start.ts): 70 s at ~15 ev/s, 40 s at ~100, per 10 s window, with noise. */
function cycle(cycles: number, start = 1_000_000): LoadWindow[] {
  const out: LoadWindow[] = [];
  let t = start;
  for (let c = 0; c < cycles; c++) {
    for (let i = 0; i < 7; i++) out.push({ windowEnd: (t += 10_000), eventsPerSecond: 15 * (i % 2 ? 1.15 : 0.85) });
    for (let i = 0; i < 4; i++) out.push({ windowEnd: (t += 10_000), eventsPerSecond: 100 * (i % 2 ? 0.85 : 1.15) });
  }
  for (let i = 0; i < 5; i++) out.push({ windowEnd: (t += 10_000), eventsPerSecond: 15 });
  return out;
}

describe(risesOfLoad.name, () => {
  it('finds each rise of the cycle once, whatever the noise', () => {
    expect(risesOfLoad(cycle(4))).toEqual([1_080_000, 1_190_000, 1_300_000, 1_410_000]);
  });

  it('finds none in a flat or empty series', () => {
    expect(risesOfLoad([])).toEqual([]);
    expect(risesOfLoad(Array.from({ length: 20 }, (_, i) => ({ windowEnd: i * 10_000, eventsPerSecond: 50 + (i % 3) })))).toEqual([]);
  });
});

describe(leadingRange.name, () => {
  it('starts a minute before the third rise and ends half a minute after the last fall', () => {
    expect(leadingRange(cycle(4))).toEqual({ from: 1_240_000, to: 1_480_000, rises: [1_080_000, 1_190_000, 1_300_000, 1_410_000] });
  });

  it('ends at the newest window while the last rise is still high, in any order of windows', () => {
    const upToRise4 = cycle(4)
      .filter((w) => w.windowEnd <= 1_420_000)
      .reverse();
    expect(leadingRange(upToRise4)).toMatchObject({ from: 1_240_000, to: 1_420_000 });
  });

  it('counts only the rises of the latest run, after the last gap in the windows', () => {
    const earlier = cycle(4, 0);
    expect(leadingRange([...earlier, ...cycle(4)])).toEqual({
      from: 1_240_000,
      to: 1_480_000,
      rises: [1_080_000, 1_190_000, 1_300_000, 1_410_000],
    });
    expect(leadingRange([...earlier, ...cycle(2)])).toBeNull();
  });

  it('is null before the forecaster can have found the cycle (fewer than three rises)', () => {
    expect(leadingRange(cycle(2))).toBeNull();
  });
});
