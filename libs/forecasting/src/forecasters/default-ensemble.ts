import { DEFAULT_ENSEMBLE, EnsembleForecaster } from './ensemble.forecaster';
import { DEFAULT_HORIZON_ERRORS, HorizonErrorsConfig } from './forecaster';
import { DEFAULT_HOLT_WINTERS, HoltWintersForecaster } from './holt-winters.forecaster';
import { DEFAULT_LAG_REGRESSION, LagRegressionForecaster, seasonalLags } from './lag-regression.forecaster';
import { NaiveForecaster } from './naive.forecaster';
import { DEFAULT_RECENT_MEDIAN, RecentMedianForecaster } from './recent-median.forecaster';
import { SeasonalNaiveForecaster } from './seasonal-naive.forecaster';

/**
 * The predictor's standard model set for a series with the given seasonal periods (shortest
 * first, e.g. [48, 336]): naive, recent median, seasonal naive, Holt-Winters and the lag regression,
 * combined by recent error. Periods come from the caller because only it knows the window size.
 */
export function createDefaultEnsemble(periods: number[], errors: HorizonErrorsConfig = DEFAULT_HORIZON_ERRORS): EnsembleForecaster {
  const usable = periods.filter((p) => p >= 2);
  if (usable.length === 0) {
    return new EnsembleForecaster(
      [new NaiveForecaster(errors), new RecentMedianForecaster(DEFAULT_RECENT_MEDIAN, errors)],
      DEFAULT_ENSEMBLE,
      errors,
    );
  }
  return new EnsembleForecaster(
    [
      new NaiveForecaster(errors),
      new RecentMedianForecaster(DEFAULT_RECENT_MEDIAN, errors),
      new SeasonalNaiveForecaster({ period: usable[0] }, errors),
      new HoltWintersForecaster({ periods: usable, ...DEFAULT_HOLT_WINTERS }, errors),
      new LagRegressionForecaster({ lags: seasonalLags(usable), ...DEFAULT_LAG_REGRESSION }, errors),
    ],
    DEFAULT_ENSEMBLE,
    errors,
  );
}
