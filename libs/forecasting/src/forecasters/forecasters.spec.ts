import { createDefaultEnsemble } from './default-ensemble';
import { EnsembleForecaster, weightedMedian } from './ensemble.forecaster';
import { OnlineForecaster } from './forecaster';
import { DEFAULT_HOLT_WINTERS, HoltWintersForecaster } from './holt-winters.forecaster';
import { DEFAULT_LAG_REGRESSION, LagRegressionForecaster, seasonalLags } from './lag-regression.forecaster';
import { NaiveForecaster } from './naive.forecaster';
import { RecentMedianForecaster } from './recent-median.forecaster';
import { restoreForecaster } from './restore';
import { SeasonalNaiveForecaster } from './seasonal-naive.forecaster';
import { gaussian, lcgRandom } from '@smartscale/testing';

const PERIOD = 24;

function seasonalSeries(n: number, noise: number, seed = 1): number[] {
  const next = lcgRandom(seed);
  return Array.from({ length: n }, (_, t) => 100 + 20 * Math.sin((2 * Math.PI * t) / PERIOD) + noise * gaussian(next));
}

const makers: Record<string, () => OnlineForecaster> = {
  naive: () => new NaiveForecaster(),
  'recent-median': () => new RecentMedianForecaster(),
  'seasonal-naive': () => new SeasonalNaiveForecaster({ period: PERIOD }),
  'holt-winters': () => new HoltWintersForecaster({ periods: [PERIOD, 7 * PERIOD], ...DEFAULT_HOLT_WINTERS }),
  'lag-regression': () => new LagRegressionForecaster({ lags: seasonalLags([PERIOD]), ...DEFAULT_LAG_REGRESSION }),
  ensemble: () => createDefaultEnsemble([PERIOD, 7 * PERIOD]),
};

function learnAll(f: OnlineForecaster, values: number[]): OnlineForecaster {
  values.forEach((v) => f.learn(v));
  return f;
}

function maeAgainst(f: OnlineForecaster, future: number[]): number {
  const points = f.forecast(future.length).map((p) => p.point);
  return points.reduce((sum, p, i) => sum + Math.abs(p - future[i]), 0) / future.length;
}

describe(HoltWintersForecaster.name, () => {
  it('recovers a clean seasonal sine far better than naive', () => {
    const series = seasonalSeries(20 * PERIOD + 12, 0);
    const history = series.slice(0, 20 * PERIOD);
    const future = series.slice(20 * PERIOD);
    const hw = learnAll(makers['holt-winters'](), history);
    const naive = learnAll(makers.naive(), history);
    expect(maeAgainst(hw, future)).toBeLessThan(0.1 * maeAgainst(naive, future));
  });
});

describe(LagRegressionForecaster.name, () => {
  it('beats naive one step ahead on a mean-reverting AR(1) process', () => {
    const next = lcgRandom(7);
    const values: number[] = [0];
    for (let t = 1; t < 3000; t++) values.push(0.3 * values[t - 1] + gaussian(next));
    const reg = new LagRegressionForecaster({ lags: [1, 2], ...DEFAULT_LAG_REGRESSION });
    const naive = new NaiveForecaster();
    values.forEach((v) => [reg, naive].forEach((f) => f.learn(v)));
    expect(reg.recentMae(1)).toBeLessThan(0.9 * naive.recentMae(1));
  });
});

describe(EnsembleForecaster.name, () => {
  it('gives the accurate member more weight than the poor one', () => {
    const ensemble = createDefaultEnsemble([PERIOD]);
    learnAll(ensemble, seasonalSeries(30 * PERIOD, 0.5));
    const kinds = ensemble.members.map((m) => m.kind);
    const w = ensemble.weights(6);
    expect(w[kinds.indexOf('holt-winters')]).toBeGreaterThan(w[kinds.indexOf('naive')]);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

describe(RecentMedianForecaster.name, () => {
  it('forecasts the median of the latest values, so one spike does not move it', () => {
    const f = learnAll(new RecentMedianForecaster({ window: 5 }), [10, 11, 12, 13, 14, 500]);
    expect(f.forecast(3).map((p) => p.point)).toEqual([13, 13, 13]);
  });
});

describe(weightedMedian.name, () => {
  it('returns the point where half the weight is reached, ignoring zero weights', () => {
    expect(weightedMedian([3, 1, 2], [1 / 3, 1 / 3, 1 / 3])).toBe(2);
    expect(weightedMedian([100, 1, 2], [0.2, 0.5, 0.3])).toBe(1);
    expect(weightedMedian([100, 1, 2], [0.6, 0.2, 0.2])).toBe(100);
    expect(weightedMedian([-50, 1, 2], [0, 0.4, 0.6])).toBe(2);
  });
});

/** Bursty counts: a daily shape plus heavy-tailed spikes that last a few steps, like tweet volumes. */
function burstySeries(n: number, seed: number): number[] {
  const next = lcgRandom(seed);
  let burst = 0;
  return Array.from({ length: n }, (_, t) => {
    if (next() < 0.01) burst = 200 * (1 + 5 * next());
    burst *= 0.6;
    return 50 + 10 * Math.sin((2 * Math.PI * t) / PERIOD) + 8 * gaussian(next) + burst;
  });
}

describe(`${EnsembleForecaster.name} on bursty data`, () => {
  it.each([1, 6, 12])('is at least as accurate as its best member at h = %i (a weighted mean was not)', (h) => {
    const series = burstySeries(60 * PERIOD, 11);
    const ensemble = createDefaultEnsemble([PERIOD, 7 * PERIOD]);
    const models: OnlineForecaster[] = [...ensemble.members, ensemble];
    const absErrors = models.map(() => 0);
    const pending: number[][] = models.map(() => []);
    series.forEach((v, t) => {
      const origin = t - h;
      if (origin >= 10 * PERIOD) models.forEach((_, k) => (absErrors[k] += Math.abs(v - pending[k][origin])));
      ensemble.learn(v);
      models.forEach((m, k) => (pending[k][t] = m.predict(h)[h - 1]));
    });
    const best = Math.min(...absErrors.slice(0, -1));
    expect(absErrors.at(-1)).toBeLessThan(best);
  });
});

describe.each(Object.keys(makers))('%s forecaster', (kind) => {
  const series = seasonalSeries(40 * PERIOD, 2, 3);

  it('restores from JSON to identical forecasts, now and after learning more', () => {
    const original = learnAll(makers[kind](), series.slice(0, 10 * PERIOD));
    const restored = restoreForecaster(JSON.parse(JSON.stringify(original.toJSON())));
    expect(restored.forecast(12)).toEqual(original.forecast(12));
    const more = series.slice(10 * PERIOD, 12 * PERIOD);
    learnAll(original, more);
    learnAll(restored, more);
    expect(restored.forecast(12)).toEqual(original.forecast(12));
  });

  it('does not look ahead: forecasts after k points ignore what follows', () => {
    const k = 8 * PERIOD;
    const divergent = [...series.slice(0, k), ...series.slice(k).map((v) => v * 3 + 50)];
    const a = learnAll(makers[kind](), series.slice(0, k));
    const b = learnAll(makers[kind](), divergent.slice(0, k));
    learnAll(makers[kind](), divergent); // a third instance fed the future must not leak into the others
    expect(b.forecast(12)).toEqual(a.forecast(12));
  });

  it('covers roughly its nominal 80 % one step ahead on noisy data', () => {
    const f = makers[kind]();
    let covered = 0;
    let scored = 0;
    series.forEach((v, t) => {
      if (t >= 20 * PERIOD) {
        const [next] = f.forecast(1);
        covered += v >= next.lower && v <= next.upper ? 1 : 0;
        scored++;
      }
      f.learn(v);
    });
    expect(covered / scored).toBeGreaterThan(0.7);
    expect(covered / scored).toBeLessThan(0.9);
  });

  it('rejects a non-finite value instead of corrupting its state', () => {
    expect(() => makers[kind]().learn(NaN)).toThrow(RangeError);
  });
});
