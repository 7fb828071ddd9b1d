import {
  AutoSeasonalForecaster,
  autoSeasonalConfig,
  createDefaultEnsemble,
  ForecastPoint,
  OnlineForecaster,
} from '@smartscale/forecasting';
import { HorizonAccumulator, HorizonMetrics } from './metrics';

export interface SeriesInput {
  name: string;
  values: number[];
  /** seasonal periods in steps, shortest first */
  periods: number[];
  /** rows learned before any forecast is scored (NAB's probationary period) */
  warmup: number;
  /** true for rows inside a labelled anomaly window; forecasts targeting them are split out */
  anomalous: boolean[];
}

export interface ModelReport {
  model: string;
  all: HorizonMetrics[];
  /** only forecasts whose target row lies outside every labelled anomaly window */
  withoutAnomalies: HorizonMetrics[];
}

export interface SeriesReport {
  name: string;
  rows: number;
  periods: number[];
  warmup: number;
  models: ModelReport[];
  /** learn + forecast(max h) of the whole ensemble (all members) per point */
  microsPerPoint: number;
  /** JSON size of the ensemble's state: the memory a predictor keeps per series, roughly */
  stateBytes: number;
  /** the predictor's own model: the ensemble over the periods it finds, with no periods given */
  auto: {
    microsPerPoint: number;
    stateBytes: number;
    /** periods in use at the end of the series */
    periods: number[];
    /** rows learned when a period was first in use; null if never */
    firstFoundAt: number | null;
  };
}

type Split = 'all' | 'withoutAnomalies';

/** Model label: members are named by kind, the combination is "ensemble". */
function modelsOf(ensemble: ReturnType<typeof createDefaultEnsemble>): [string, OnlineForecaster][] {
  return [...ensemble.members.map((m): [string, OnlineForecaster] => [m.kind, m]), ['ensemble', ensemble]];
}

/**
 * Rolling-origin evaluation: after each learned point every model forecasts max(h) steps; each
 * forecast is scored when its target arrives, before the model learns that target, so nothing is
 * ever scored on data it has seen.
 */
export function evaluateSeries(input: SeriesInput, horizons: number[]): SeriesReport {
  const ensemble = createDefaultEnsemble(input.periods);
  // No hints: what it finds alone. Looks for periods up to a third of the series or a week of rows.
  const auto = new AutoSeasonalForecaster(autoSeasonalConfig([], Math.max(8, Math.min(Math.floor(input.values.length / 3), 2016))));
  const models: [string, OnlineForecaster][] = [...modelsOf(ensemble), ['auto-seasonal', auto]];
  const maxH = Math.max(...horizons);
  const acc = new Map<string, HorizonAccumulator>();
  const at = (model: string, h: number, split: Split): HorizonAccumulator => {
    const key = `${model}|${h}|${split}`;
    if (!acc.has(key)) acc.set(key, new HorizonAccumulator());
    return acc.get(key) as HorizonAccumulator;
  };
  const pending: ForecastPoint[][][] = models.map(() => []);
  let ensembleMs = 0;
  let autoMs = 0;
  let firstFoundAt: number | null = null;
  input.values.forEach((actual, t) => {
    models.forEach(([model], k) => {
      for (const h of horizons) {
        const origin = t - h;
        const forecast = pending[k][origin % maxH];
        if (origin < input.warmup - 1 || forecast === undefined) continue;
        at(model, h, 'all').add(forecast[h - 1], actual);
        if (!input.anomalous[t]) at(model, h, 'withoutAnomalies').add(forecast[h - 1], actual);
      }
    });
    let started = performance.now();
    ensemble.learn(actual);
    ensemble.forecast(maxH);
    ensembleMs += performance.now() - started;
    started = performance.now();
    auto.learn(actual);
    auto.forecast(maxH);
    autoMs += performance.now() - started;
    if (firstFoundAt === null && auto.periods.length > 0) firstFoundAt = t + 1;
    models.forEach(([, m], k) => (pending[k][t % maxH] = m.forecast(maxH)));
  });
  return {
    name: input.name,
    rows: input.values.length,
    periods: input.periods,
    warmup: input.warmup,
    models: models.map(([model]) => ({
      model,
      all: summarise(model, horizons, 'all', at),
      withoutAnomalies: summarise(model, horizons, 'withoutAnomalies', at),
    })),
    microsPerPoint: (1000 * ensembleMs) / input.values.length,
    stateBytes: JSON.stringify(ensemble.toJSON()).length,
    auto: {
      microsPerPoint: (1000 * autoMs) / input.values.length,
      stateBytes: JSON.stringify(auto.toJSON()).length,
      periods: auto.periods,
      firstFoundAt,
    },
  };
}

function summarise(
  model: string,
  horizons: number[],
  split: Split,
  at: (model: string, h: number, split: Split) => HorizonAccumulator,
): HorizonMetrics[] {
  return horizons
    .filter((h) => at(model, h, split).n > 0)
    .map((h) => at(model, h, split).finish(h, at('naive', 1, split).mae, at('naive', h, split).mae, at('seasonal-naive', h, split).mae));
}
