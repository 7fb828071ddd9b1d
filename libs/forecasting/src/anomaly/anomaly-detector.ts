import { EwStats, ewUpdate, newEwStats } from '../ew-stats';
import { ContextNovelty, ContextNoveltyConfig, ContextNoveltyState, DEFAULT_CONTEXT_NOVELTY } from './context-novelty';
import { AnomalyLikelihood, AnomalyLikelihoodState, DEFAULT_LIKELIHOOD_CONFIG, LikelihoodConfig } from './anomaly-likelihood';

/**
 * One parameter set for every series (NAB's rule, and what a predictor serving thousands of
 * services needs). Values were chosen on the NAB dev subset as a whole, never per file.
 */
export interface AnomalyDetectorConfig {
  /** weights of the EWMA predictors whose errors make the raw score (0 → last value only) */
  predictorAlphas: number[];
  /** weight of each predictor's running mean absolute error, used to normalise its error */
  errorAlpha: number;
  /** raw normalised errors are capped so one huge jump cannot poison the long-run statistics */
  rawCap: number;
  /** NAB numenta's spatial check: a value beyond the seen range by this fraction of it scores 1 */
  spatialTolerance: number;
  /** rows seen before the spatial check is trusted */
  spatialWarmup: number;
  /** after a score ≥ suppressLevel, later scores are damped for this fraction of the rows seen */
  suppressFraction: number;
  suppressLevel: number;
  likelihood: LikelihoodConfig;
  /** contextual novelty stream; its own likelihood is max-combined with the error likelihood */
  context: ContextNoveltyConfig | null;
  contextLikelihood: LikelihoodConfig;
}

export const DEFAULT_ANOMALY_CONFIG: AnomalyDetectorConfig = {
  // Adding slower EWMA predictors (e.g. 0.3) scored lower on NAB: they forgive level shifts.
  predictorAlphas: [1],
  errorAlpha: 0.005,
  rawCap: 20,
  // Chosen by 5-fold cross-validation across the dev files (`npm run nab -- ... --cv 5`, docs/anomaly-detection.md):
  // 0.1 won in every fold's training set for the standard profile.
  spatialTolerance: 0.1,
  spatialWarmup: 100,
  suppressFraction: 0.02,
  suppressLevel: 0.5,
  likelihood: { ...DEFAULT_LIKELIHOOD_CONFIG, shortWindow: 30 },
  context: DEFAULT_CONTEXT_NOVELTY,
  contextLikelihood: DEFAULT_LIKELIHOOD_CONFIG,
};

export interface AnomalyDetectorState {
  t: number;
  min: number;
  max: number;
  predictions: number[];
  errors: EwStats[];
  likelihood: AnomalyLikelihoodState;
  context: ContextNoveltyState;
  contextLikelihood: AnomalyLikelihoodState;
  /** row index of the last score at or above suppressLevel, or −1 */
  lastDetection: number;
}

export interface AnomalyDetectorJSON {
  kind: 'anomaly-detector';
  config: AnomalyDetectorConfig;
  state: AnomalyDetectorState;
}

/**
 * Streaming anomaly score in [0, 1] per point. Recipe (after NAB's numenta detector and
 * anomaly likelihood): several cheap online predictors, each error normalised by that predictor's
 * own recent error; the raw score is the smallest of them (a point is surprising only when no
 * predictor expected it); Numenta's anomaly likelihood turns the raw score into a log-scaled tail
 * probability; a value outside the range seen so far scores 1; a detection suppresses the next ones
 * for a while, because NAB credits only the earliest detection in a window and charges every FP.
 */
export class AnomalyDetector {
  private readonly likelihood: AnomalyLikelihood;
  private readonly contextLikelihood: AnomalyLikelihood;
  private readonly context: ContextNovelty | null;

  constructor(
    private readonly config: AnomalyDetectorConfig = DEFAULT_ANOMALY_CONFIG,
    private readonly state: AnomalyDetectorState = AnomalyDetector.initialState(config),
  ) {
    this.likelihood = new AnomalyLikelihood(config.likelihood, state.likelihood);
    this.contextLikelihood = new AnomalyLikelihood(config.contextLikelihood, state.contextLikelihood);
    this.context = config.context === null ? null : new ContextNovelty(config.context, state.context);
  }

  static initialState(config: AnomalyDetectorConfig): AnomalyDetectorState {
    return {
      t: 0,
      min: Infinity,
      max: -Infinity,
      predictions: config.predictorAlphas.map(() => NaN),
      errors: config.predictorAlphas.map(() => newEwStats()),
      likelihood: AnomalyLikelihood.initialState(config.likelihood),
      context: { recent: [], counts: [] },
      contextLikelihood: AnomalyLikelihood.initialState(config.contextLikelihood),
      lastDetection: -1,
    };
  }

  static fromJSON(json: AnomalyDetectorJSON): AnomalyDetector {
    return new AnomalyDetector(json.config, structuredClone(json.state));
  }

  toJSON(): AnomalyDetectorJSON {
    const state = { ...structuredClone(this.state), context: this.context?.toJSON() ?? { recent: [], counts: [] } };
    return { kind: 'anomaly-detector', config: this.config, state };
  }

  /** `timestampMs` is accepted for callers that have it; the score depends on row order only. */
  score(value: number, _timestampMs?: number): number {
    const s = this.state;
    const raw = this.rawScore(value);
    const spatial = this.isOutsideSeenRange(value);
    s.min = Math.min(s.min, value);
    s.max = Math.max(s.max, value);
    const novelty = this.context === null ? 0 : this.context.update(value, s.min, s.max);
    const likely = Math.max(this.likelihood.update(raw), this.context === null ? 0 : this.contextLikelihood.update(novelty));
    const score = this.suppress(spatial ? 1 : likely);
    s.t++;
    return score;
  }

  private rawScore(value: number): number {
    const s = this.state;
    const floor = 1e-3 * (s.max - s.min) + 1e-9;
    let raw = Infinity;
    this.config.predictorAlphas.forEach((alpha, i) => {
      const predicted = s.predictions[i];
      if (Number.isNaN(predicted)) {
        raw = 0;
        s.predictions[i] = value;
        return;
      }
      const err = Math.abs(value - predicted);
      const scale = Math.max(s.errors[i].mean, floor);
      raw = Math.min(raw, err / scale);
      ewUpdate(s.errors[i], err, this.config.errorAlpha);
      s.predictions[i] = predicted + alpha * (value - predicted);
    });
    return Math.min(raw, this.config.rawCap);
  }

  private isOutsideSeenRange(value: number): boolean {
    const s = this.state;
    if (s.t < this.config.spatialWarmup || s.max <= s.min) return false;
    const tolerance = (s.max - s.min) * this.config.spatialTolerance;
    return value > s.max + tolerance || value < s.min - tolerance;
  }

  private suppress(score: number): number {
    const s = this.state;
    const window = this.config.suppressFraction * s.t;
    // Damped, not zeroed, so the ordering inside a suppressed stretch still means something.
    if (s.lastDetection >= 0 && s.t - s.lastDetection <= window) return score * 0.1;
    if (score >= this.config.suppressLevel) s.lastDetection = s.t;
    return score;
  }
}
