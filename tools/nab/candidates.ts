import { AnomalyDetectorConfig, DEFAULT_ANOMALY_CONFIG } from '@smartscale/forecasting';
import { Candidate } from './cross-validate';

/**
 * The grid cross-validation chooses from: the shipped default and its neighbours along the settings
 * that move NAB scores most (how far back the likelihood's short average looks, how long a detection
 * suppresses the next ones, how far outside the seen range a value must fall, whether the contextual
 * novelty stream is combined in, how fast the error scale adapts). Fixed before any cross-validated run.
 */
export function defaultGrid(base: AnomalyDetectorConfig = DEFAULT_ANOMALY_CONFIG): Candidate[] {
  const out: Candidate[] = [];
  for (const shortWindow of [10, 30])
    for (const suppressFraction of [0.01, 0.02, 0.05])
      for (const spatialTolerance of [0.05, 0.1])
        for (const context of [true, false])
          for (const errorAlpha of [0.005, 0.02]) {
            const config: AnomalyDetectorConfig = {
              ...base,
              errorAlpha,
              spatialTolerance,
              suppressFraction,
              likelihood: { ...base.likelihood, shortWindow },
              context: context ? base.context : null,
            };
            out.push({
              name: `sw${shortWindow}-sup${suppressFraction}-tol${spatialTolerance}-${context ? 'ctx' : 'noctx'}-ea${errorAlpha}`,
              config,
            });
          }
  return out;
}
