import { parseSteps } from '../loadgen/shapes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { spikeStarts, reactionTimes, median } = require('./spikes.js') as {
  spikeStarts(steps: { rate: number; seconds: number }[], startedAt: number): { at: number; from: number; to: number }[];
  reactionTimes(spikes: { at: number }[], decisions: { action: string; applied: boolean; at: number }[]): (number | null)[];
  median(values: (number | null)[]): number | null;
};

describe('demo spike reaction', () => {
  it('finds the steps that at least double the rate', () => {
    const steps = parseSteps('15:45,130:90,15:165,20:10,100:5');
    expect(spikeStarts(steps, 1_000)).toEqual([
      { at: 46_000, from: 15, to: 130 },
      { at: 1_000 + (45 + 90 + 165 + 10) * 1000, from: 20, to: 100 },
    ]);
    expect(() => parseSteps('15:45,fast')).toThrow('bad step "fast"');
  });

  it('times each spike to its first applied scale-up, ignoring holds, unapplied and earlier decisions', () => {
    const spikes = [{ at: 10_000 }, { at: 100_000 }];
    const decisions = [
      { action: 'up', applied: true, at: 5_000 },
      { action: 'hold', applied: false, at: 20_000 },
      { action: 'up', applied: false, at: 22_000 },
      { action: 'up', applied: true, at: 27_500 },
      { action: 'up', applied: true, at: 30_000 },
    ];
    expect(reactionTimes(spikes, decisions)).toEqual([17.5, null]);
    expect(median([17.5, null, 12, 30])).toBe(17.5);
    expect(median([4, 2])).toBe(3);
    expect(median([null])).toBeNull();
  });
});
