import { AutoSeasonalForecaster } from './auto-seasonal.forecaster';
import { EnsembleForecaster } from './ensemble.forecaster';
import { ForecasterJSON, OnlineForecaster } from './forecaster';
import { HoltWintersForecaster } from './holt-winters.forecaster';
import { LagRegressionForecaster } from './lag-regression.forecaster';
import { NaiveForecaster } from './naive.forecaster';
import { RecentMedianForecaster } from './recent-median.forecaster';
import { SeasonalNaiveForecaster } from './seasonal-naive.forecaster';

/** Rebuilds any forecaster from its `toJSON()` output, dispatching on `kind`. */
export function restoreForecaster(json: ForecasterJSON): OnlineForecaster {
  // The casts are safe by construction: each `kind` is only ever written by its own class.
  switch (json.kind) {
    case 'naive':
      return NaiveForecaster.fromJSON(json as Parameters<typeof NaiveForecaster.fromJSON>[0]);
    case 'recent-median':
      return RecentMedianForecaster.fromJSON(json as Parameters<typeof RecentMedianForecaster.fromJSON>[0]);
    case 'seasonal-naive':
      return SeasonalNaiveForecaster.fromJSON(json as Parameters<typeof SeasonalNaiveForecaster.fromJSON>[0]);
    case 'holt-winters':
      return HoltWintersForecaster.fromJSON(json as Parameters<typeof HoltWintersForecaster.fromJSON>[0]);
    case 'lag-regression':
      return LagRegressionForecaster.fromJSON(json as Parameters<typeof LagRegressionForecaster.fromJSON>[0]);
    case 'ensemble':
      return EnsembleForecaster.fromJSON(json as Parameters<typeof EnsembleForecaster.fromJSON>[0], restoreForecaster);
    case 'auto-seasonal':
      return AutoSeasonalForecaster.fromJSON(json as Parameters<typeof AutoSeasonalForecaster.fromJSON>[0], restoreForecaster);
    default:
      throw new Error(`unknown forecaster kind "${json.kind}"`);
  }
}
