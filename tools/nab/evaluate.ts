import { AnomalyDetector, AnomalyDetectorConfig, DEFAULT_ANOMALY_CONFIG } from '@smartscale/forecasting';
import { CorpusFile, Labels, timestampMs } from './corpus';
import { CostProfile, FileScore, scoreCorpus, ScoredFile, windowsToRows } from './scoring';

export interface NabReport {
  /** normalised score per profile name, e.g. standard: 71.3 */
  scores: Record<string, number>;
  thresholds: Record<string, number>;
  raw: Record<string, number>;
  windows: number;
  files: Record<string, Record<string, FileScore>>;
  rows: number;
  microsPerPoint: number;
}

/** Runs a fresh detector over one file, one row at a time, in file order. */
export function detectFile(file: CorpusFile, config: AnomalyDetectorConfig): Float64Array {
  const detector = new AnomalyDetector(config);
  const scores = new Float64Array(file.values.length);
  for (let i = 0; i < file.values.length; i++) {
    scores[i] = detector.score(file.values[i], timestampMs(file.timestamps[i]));
  }
  return scores;
}

function labelledWindows(file: CorpusFile, labels: Labels): ScoredFile['windows'] {
  const windows = labels[file.name];
  if (windows === undefined) throw new Error(`${file.name} has no entry in the labels file`);
  return windowsToRows(file.timestamps, windows);
}

export function evaluateCorpus(
  corpus: readonly CorpusFile[],
  labels: Labels,
  profiles: Record<string, CostProfile>,
  config: AnomalyDetectorConfig = DEFAULT_ANOMALY_CONFIG,
): NabReport {
  const started = performance.now();
  const scored: ScoredFile[] = corpus.map((f) => ({
    name: f.name,
    scores: detectFile(f, config),
    windows: labelledWindows(f, labels),
  }));
  const elapsedMs = performance.now() - started;
  const rows = corpus.reduce((sum, f) => sum + f.values.length, 0);
  const report: NabReport = {
    scores: {},
    thresholds: {},
    raw: {},
    windows: scored.reduce((sum, f) => sum + f.windows.length, 0),
    files: Object.fromEntries(corpus.map((f) => [f.name, {}])),
    rows,
    microsPerPoint: (1000 * elapsedMs) / Math.max(rows, 1),
  };
  for (const [name, profile] of Object.entries(profiles)) {
    const result = scoreCorpus(scored, profile);
    report.scores[name] = result.normalised;
    report.thresholds[name] = result.threshold;
    report.raw[name] = result.raw;
    for (const [file, score] of Object.entries(result.files)) report.files[file][name] = score;
  }
  return report;
}
