import { naturalDuration, parseSteps, rateAt, replaySecondsPerRow } from './shapes';

describe('rateAt', () => {
  it('follows steps in order and is 0 after the last one', () => {
    const shape = { kind: 'steps' as const, steps: parseSteps('10:5,100:3') };
    expect([0, 4.9, 5, 7.9, 8].map((t) => rateAt(shape, t))).toEqual([10, 10, 100, 100, 0]);
    expect(naturalDuration(shape)).toBe(8);
  });

  it('holds the peak only inside the spike', () => {
    const shape = { kind: 'spike' as const, base: 5, peak: 50, at: 10, for: 5 };
    expect([9, 10, 14, 15].map((t) => rateAt(shape, t))).toEqual([5, 50, 50, 5]);
  });

  it('ramps linearly and then stays at the target', () => {
    const shape = { kind: 'ramp' as const, from: 0, to: 100, seconds: 10 };
    expect([0, 5, 10, 20].map((t) => rateAt(shape, t))).toEqual([0, 50, 100, 100]);
  });

  it('scales a replayed trace so that its maximum is the peak', () => {
    const shape = { kind: 'replay' as const, values: [1, 4, 2], secondsPerRow: 2, peak: 80 };
    expect([0, 2, 5, 6].map((t) => rateAt(shape, t))).toEqual([20, 80, 40, 0]);
  });

  it('rejects a malformed step', () => {
    expect(() => parseSteps('10:5,fast:3')).toThrow(/bad step "fast:3"/);
  });
});

describe('replay scale and speedup', () => {
  it('multiplies each row by --scale instead of normalising to the peak', () => {
    const shape = { kind: 'replay' as const, values: [10, 40], secondsPerRow: 1, peak: 999, scale: 0.5 };
    expect([0, 1].map((t) => rateAt(shape, t))).toEqual([5, 20]);
  });

  it('plays the trace faster by its own row interval', () => {
    const halfHour = 30 * 60_000;
    expect(replaySecondsPerRow([0, halfHour, 2 * halfHour, 3 * halfHour], 1800, 1)).toBe(1);
    expect(replaySecondsPerRow([0, halfHour], undefined, 2)).toBe(2);
    expect(() => replaySecondsPerRow([0], 10, 1)).toThrow(/two distinct timestamps/);
  });
});
