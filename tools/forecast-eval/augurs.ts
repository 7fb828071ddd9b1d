import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createDefaultEnsemble, DEFAULT_PERIOD_DETECTOR, detectPeriods, ForecastPoint } from '@smartscale/forecasting';
import type { SeriesInput } from './evaluate';

type Mstl = typeof import('@bsull/augurs/mstl', { with: { 'resolution-mode': 'import' } });
type Seasons = typeof import('@bsull/augurs/seasons', { with: { 'resolution-mode': 'import' } });

export interface Augurs {
  mstl: Mstl;
  seasons: Seasons;
  initMs: number;
}

/**
 * @bsull/augurs (a dev dependency: measured, not adopted, docs/forecasting.md) is ESM with one WASM
 * module per feature; Node loads the WASM from the package folder with initSync.
 */
export async function loadAugurs(): Promise<Augurs> {
  const started = performance.now();
  const mstl = await import('@bsull/augurs/mstl');
  const seasons = await import('@bsull/augurs/seasons');
  const folder = dirname(require.resolve('@bsull/augurs/mstl'));
  mstl.initSync({ module: readFileSync(join(folder, 'mstl_bg.wasm')) });
  seasons.initSync({ module: readFileSync(join(folder, 'seasons_bg.wasm')) });
  return { mstl, seasons, initMs: performance.now() - started };
}

export interface SideBySide {
  h: number;
  augursMae: number;
  augursCoverage: number;
  oursMae: number;
  oursCoverage: number;
}

export interface AugursReport {
  name: string;
  periods: number[];
  /** forecast origins compared (a sample: augurs refits from scratch at each) */
  origins: number;
  /** points of history each MSTL fit sees: four of the longest period */
  fitWindow: number;
  horizons: SideBySide[];
  augursMsPerFit: number;
  oursMicrosPerPoint: number;
  /** augurs `seasonalities` and our detector on the first two cycles of the longest period, and on the whole series */
  augursSeasonsTwoCycles: number[];
  oursSeasonsTwoCycles: number[];
  augursSeasonsWhole: number[];
  oursSeasonsWhole: number[];
}

/**
 * MSTL (AutoETS trend) from augurs against the product's online ensemble at the same sampled origins
 * after the warm-up: augurs is a batch model, so each origin refits on the latest window (what a
 * predictor would have to do on every new window), while ours learns each point once.
 */
export function compareWithAugurs(augurs: Augurs, input: SeriesInput, horizons: number[], sampleOrigins = 150): AugursReport {
  const { values } = input;
  const maxH = Math.max(...horizons);
  const detector = { ...DEFAULT_PERIOD_DETECTOR, maxPeriod: Math.max(8640, ...input.periods) };
  // MSTL needs periods: when the timestamps give none (the synthetic 10 s series), both models get
  // the ones our detector finds in the whole series; with none at all there is nothing to compare.
  const periods = input.periods.length > 0 ? input.periods : detectPeriods(values, detector).map((d) => d.period);
  const longest = Math.max(2, ...periods);
  const fitWindow = 4 * longest;
  const first = Math.max(input.warmup, 2 * longest);
  const stride = Math.max(1, Math.floor((values.length - maxH - first) / sampleOrigins));
  const origins = new Set<number>();
  for (let t = first; t + maxH < values.length; t += stride) origins.add(t);
  const ensemble = createDefaultEnsemble(periods);
  const ours = new Map<number, ForecastPoint[]>();
  const started = performance.now();
  values.forEach((v, t) => {
    ensemble.learn(v);
    if (origins.has(t)) ours.set(t, ensemble.forecast(maxH));
  });
  const oursMicrosPerPoint = (1000 * (performance.now() - started)) / values.length;
  const sums = horizons.map(() => ({ aErr: 0, aIn: 0, oErr: 0, oIn: 0, n: 0 }));
  let fitMs = 0;
  for (const t of periods.length > 0 ? origins : []) {
    const train = Float64Array.from(values.slice(Math.max(0, t + 1 - fitWindow), t + 1));
    const fitStarted = performance.now();
    const model = augurs.mstl.ets(periods.filter((p) => 2 * p <= train.length));
    model.fit(train);
    const f = model.predict(maxH, 0.8);
    model.free();
    fitMs += performance.now() - fitStarted;
    const o = ours.get(t) as ForecastPoint[];
    horizons.forEach((h, i) => {
      const actual = values[t + h];
      const s = sums[i];
      s.aErr += Math.abs(actual - f.point[h - 1]);
      s.aIn += f.intervals && actual >= f.intervals.lower[h - 1] && actual <= f.intervals.upper[h - 1] ? 1 : 0;
      s.oErr += Math.abs(actual - o[h - 1].point);
      s.oIn += actual >= o[h - 1].lower && actual <= o[h - 1].upper ? 1 : 0;
      s.n++;
    });
  }
  const twoCycles = Float64Array.from(values.slice(0, Math.min(values.length, 2 * longest + 60)));
  return {
    name: input.name,
    periods,
    origins: origins.size,
    fitWindow,
    horizons: horizons.map((h, i) => {
      const s = sums[i];
      return { h, augursMae: s.aErr / s.n, augursCoverage: s.aIn / s.n, oursMae: s.oErr / s.n, oursCoverage: s.oIn / s.n };
    }),
    augursMsPerFit: periods.length > 0 ? fitMs / origins.size : NaN,
    oursMicrosPerPoint,
    augursSeasonsTwoCycles: Array.from(augurs.seasons.seasonalities(twoCycles)),
    oursSeasonsTwoCycles: detectPeriods(twoCycles, detector).map((d) => d.period),
    augursSeasonsWhole: Array.from(augurs.seasons.seasonalities(Float64Array.from(values))),
    oursSeasonsWhole: detectPeriods(values, detector).map((d) => d.period),
  };
}
