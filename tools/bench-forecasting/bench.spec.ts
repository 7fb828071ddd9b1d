import { benchSeries, subjectsFor, summarise } from './bench';

const PERIOD = 24;
const values = Array.from({ length: 6 * PERIOD }, (_, t) => 100 + 10 * Math.sin((2 * Math.PI * t) / PERIOD));
const timestamps = values.map((_, t) => t * 3_600_000);

describe(benchSeries.name, () => {
  it('times the detector, every member and the ensemble, and sizes their state', () => {
    const result = benchSeries('sine', values, timestamps, subjectsFor([PERIOD], 12), [PERIOD]);
    expect(result.subjects.map((s) => s.name)).toEqual([
      'anomaly-detector',
      'naive',
      'recent-median',
      'seasonal-naive',
      'holt-winters',
      'lag-regression',
      'ensemble',
    ]);
    result.subjects.forEach((s) => expect(s.microsPerPoint).toBeGreaterThan(0));
    const size = (name: string) => result.subjects.find((s) => s.name === name)?.stateBytes ?? NaN;
    expect(size('ensemble')).toBeGreaterThan(size('seasonal-naive') + size('naive'));
  });
});

describe(summarise.name, () => {
  it('weights µs per point by rows and expresses both costs relative to naive', () => {
    const mk = (rows: number, naive: number, other: number) => ({
      name: `s${rows}`,
      rows,
      periods: [],
      subjects: [
        { name: 'naive', microsPerPoint: naive, stateBytes: 100 },
        { name: 'ensemble', microsPerPoint: other, stateBytes: 1000 * rows },
      ],
    });
    const [naive, ensemble] = summarise([mk(1, 1, 10), mk(3, 1, 30)]);
    expect(naive.timeVsNaive).toBe(1);
    expect(ensemble.microsPerPoint).toBeCloseTo(25, 12);
    expect(ensemble.timeVsNaive).toBeCloseTo(25, 12);
    expect(ensemble.stateBytes).toBe(2000);
    expect(ensemble.maxStateBytes).toBe(3000);
    expect(ensemble.stateVsNaive).toBe(20);
  });
});
