import { EwStats, ewUpdate, newEwStats } from '../ew-stats';
import { normalTail } from './gaussian';

/**
 * Numenta's anomaly likelihood (Ahmad et al. 2017, "Unsupervised real-time anomaly detection for
 * streaming data"): how unlikely is the short-term average of raw scores under the long-term
 * distribution of raw scores. Numenta keeps a sliding window of 8640 scores; an exponentially
 * weighted mean/variance gives nearly the same estimate in O(1) memory, which matters at 10,000
 * series per predictor.
 */
export interface LikelihoodConfig {
  /** rows averaged into the short-term score */
  shortWindow: number;
  /** weight floor of the long-term mean/variance (≈ 1 / effective window) */
  longAlpha: number;
  /** rows before the likelihood is trusted; scores are 0 until then */
  learningRows: number;
  /** lower bound of the long-term standard deviation, relative to the long-term mean */
  minRelativeStd: number;
  /** Numenta's log scaling: log(1 − L) / log(1 − logCeiling) */
  logCeiling: number;
}

export const DEFAULT_LIKELIHOOD_CONFIG: LikelihoodConfig = {
  shortWindow: 10,
  longAlpha: 1 / 2000,
  learningRows: 150,
  minRelativeStd: 0.2,
  logCeiling: 1 - 1e-10,
};

export interface AnomalyLikelihoodState {
  long: EwStats;
  recent: number[];
  next: number;
  sum: number;
}

export class AnomalyLikelihood {
  constructor(
    private readonly config: LikelihoodConfig,
    private readonly state: AnomalyLikelihoodState,
  ) {}

  static initialState(config: LikelihoodConfig): AnomalyLikelihoodState {
    return { long: newEwStats(), recent: new Array<number>(config.shortWindow).fill(0), next: 0, sum: 0 };
  }

  /** Folds one raw score in and returns the log-scaled likelihood in [0, 1]. */
  update(raw: number): number {
    const s = this.state;
    s.sum += raw - s.recent[s.next];
    s.recent[s.next] = raw;
    s.next = (s.next + 1) % s.recent.length;
    const filled = Math.min(s.long.n + 1, s.recent.length);
    const shortMean = s.sum / filled;
    const score = s.long.n < this.config.learningRows ? 0 : this.logLikelihood(shortMean);
    ewUpdate(s.long, shortMean, this.config.longAlpha);
    return score;
  }

  private logLikelihood(shortMean: number): number {
    const { mean, variance } = this.state.long;
    const std = Math.max(Math.sqrt(variance), this.config.minRelativeStd * Math.abs(mean), 1e-6);
    const tail = normalTail((shortMean - mean) / std);
    const likelihood = 1 - tail;
    const scaled = Math.log(1.0000000001 - likelihood) / Math.log(1 - this.config.logCeiling);
    return Math.min(1, Math.max(0, scaled));
  }
}
