import { describePeriods, forecastQuantile, laplaceQuantile, normalQuantile, quantileLabel } from './signals-forecast';

describe('forecast quantiles', () => {
  it('inverts the normal distribution', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.9)).toBeCloseTo(1.281552, 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it('reads the upper bound as the interval’s own quantile and rescales the half-width for others', () => {
    expect(forecastQuantile(100, 120, 0.9, 0.8)).toBeCloseTo(120, 9);
    expect(forecastQuantile(100, 120, 0.5, 0.8)).toBe(100);
    // Laplace tail: q0.99 / q0.9 = ln 50 / ln 5 = 2.43 half-widths (the normal's would be 1.82)
    expect(forecastQuantile(100, 120, 0.99, 0.8)).toBeCloseTo(100 + (20 * Math.log(50)) / Math.log(5), 9);
    expect(laplaceQuantile(0.5)).toBe(-0);
    expect(laplaceQuantile(0.25)).toBeCloseTo(-Math.log(2), 12);
    expect(forecastQuantile(100, 120, 0.975, 0.95)).toBeCloseTo(120, 9);
    expect(forecastQuantile(0, 0, 0.99)).toBe(0);
  });

  it('labels quantiles and periods for people', () => {
    expect(quantileLabel(0.99)).toBe('q0.99');
    expect(describePeriods([420_000, 3_600_000, 86_400_000])).toBe('periods 7 min + 1 h + 1 d');
    expect(describePeriods([250_000])).toBe('period 4.2 min');
    expect(describePeriods([])).toBe('no seasonal period found');
    expect(describePeriods(undefined)).toBe('periods unknown');
  });
});
