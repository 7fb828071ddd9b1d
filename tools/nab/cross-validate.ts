import { AnomalyDetectorConfig } from '@smartscale/forecasting';
import { CorpusFile, Labels } from './corpus';
import { detectFile } from './evaluate';
import { CostProfile, normaliseScore, probationaryLength, scoreCorpus, ScoredFile, scoreFile, windowsToRows } from './scoring';

/** One candidate default: a name for the report and the detector configuration it stands for. */
export interface Candidate {
  name: string;
  config: AnomalyDetectorConfig;
}

export interface FoldResult {
  fold: number;
  heldOut: string[];
  /** the candidate that scored best on the other folds, and the threshold it was tuned to there */
  chosen: string;
  threshold: number;
  trainScore: number;
  /** the held-out files scored at the training threshold: nothing about them was seen while tuning */
  heldOutScore: number;
}

export interface CrossValidationReport {
  profile: string;
  folds: FoldResult[];
  meanHeldOut: number;
  /** the candidate chosen on all files together (what a default tuned on everything would be) and its score there */
  allFiles: { chosen: string; score: number; threshold: number };
  /** every candidate's score on all files, for the table */
  candidates: Record<string, number>;
}

/**
 * Files into k folds: sorted by path, then dealt round-robin. The split depends on nothing but the
 * list of files, never on their scores; sorting by path spreads each NAB category across the folds.
 */
export function assignFolds(names: readonly string[], k: number): string[][] {
  if (!Number.isInteger(k) || k < 2 || k > names.length) throw new Error(`folds must be an integer in [2, ${names.length}], got ${k}`);
  const folds: string[][] = Array.from({ length: k }, () => []);
  [...names].sort().forEach((name, i) => folds[i % k].push(name));
  return folds;
}

/** NAB's normalised score of a set of files at a threshold fixed beforehand (no sweep on these files). */
export function scoreAtThreshold(files: readonly ScoredFile[], profile: CostProfile, threshold: number): number {
  const windowCount = files.reduce((sum, f) => sum + f.windows.length, 0);
  const raw = files.reduce(
    (sum, f) => sum + scoreFile(f.scores, f.windows, profile, threshold, probationaryLength(f.scores.length)).raw,
    0,
  );
  return normaliseScore(raw, profile, windowCount);
}

/** The candidate with the best swept score on these files; ties go to the earlier candidate. */
export function tune(
  scored: ReadonlyMap<string, readonly ScoredFile[]>,
  profile: CostProfile,
  include: (f: ScoredFile) => boolean,
): { chosen: string; score: number; threshold: number } {
  let best = { chosen: '', score: -Infinity, threshold: 1 };
  for (const [name, files] of scored) {
    const result = scoreCorpus(files.filter(include), profile);
    if (result.normalised > best.score) best = { chosen: name, score: result.normalised, threshold: result.threshold };
  }
  return best;
}

/** Every candidate over every file, once: the folds and profiles then only re-score these. */
export function scoreCandidates(
  corpus: readonly CorpusFile[],
  labels: Labels,
  candidates: readonly Candidate[],
): Map<string, ScoredFile[]> {
  const scored = new Map<string, ScoredFile[]>();
  for (const c of candidates) {
    scored.set(
      c.name,
      corpus.map((f) => {
        const windows = labels[f.name];
        if (windows === undefined) throw new Error(`${f.name} has no entry in the labels file`);
        return { name: f.name, scores: detectFile(f, c.config), windows: windowsToRows(f.timestamps, windows) };
      }),
    );
  }
  return scored;
}

/**
 * k-fold cross-validation across files: for each fold, choose the candidate (and its threshold) on the
 * other folds, then score the held-out fold at that threshold.
 */
export function crossValidate(
  scored: ReadonlyMap<string, readonly ScoredFile[]>,
  profileName: string,
  profile: CostProfile,
  k: number,
): CrossValidationReport {
  const names = ([...scored.values()][0] ?? []).map((f) => f.name);
  const folds = assignFolds(names, k).map((heldOut, fold): FoldResult => {
    const out = new Set(heldOut);
    const tuned = tune(scored, profile, (f) => !out.has(f.name));
    const held = (scored.get(tuned.chosen) ?? []).filter((f) => out.has(f.name));
    return {
      fold,
      heldOut,
      chosen: tuned.chosen,
      threshold: tuned.threshold,
      trainScore: tuned.score,
      heldOutScore: scoreAtThreshold(held, profile, tuned.threshold),
    };
  });
  const all = tune(scored, profile, () => true);
  const candidateScores = Object.fromEntries([...scored].map(([name, files]) => [name, scoreCorpus(files, profile).normalised]));
  return {
    profile: profileName,
    folds,
    meanHeldOut: folds.reduce((sum, f) => sum + f.heldOutScore, 0) / folds.length,
    allFiles: all,
    candidates: candidateScores,
  };
}
