/**
 * NAB scoring rules as pure functions (spec: shared/data/nab/SCORING.md). No I/O here, so the
 * golden cases of SCORING.md §1.8 run against exactly the code the CLI uses.
 */

export interface CostProfile {
  tp: number;
  fp: number;
  fn: number;
}

/** Inclusive row range of one labelled window. */
export interface RowWindow {
  start: number;
  end: number;
}

/**
 * Per-row value of a detection, profile-free: inside a window it is S(y)/S(−1) (times A_TP later),
 * outside it is S(y) or −1 (times A_FP later). Precomputing once lets three profiles share it.
 */
export interface RowValues {
  /** index into the file's windows, or −1 outside every window */
  window: Int32Array;
  unit: Float64Array;
}

export interface FileCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export interface FileScore extends FileCounts {
  raw: number;
}

export interface SweepState {
  threshold: number;
  raw: number;
}

/** One pooled, non-probationary row for the threshold sweep; `window` is a corpus-wide window id. */
export interface SweepRow {
  score: number;
  value: number;
  window: number | null;
}

export const PROBATION_PCT = 0.15;
/** NAB caps the probation at 15 % of 5000 rows (= 750). */
const PROBATION_CAP_ROWS = 5000;

export function probationaryLength(n: number, pct = PROBATION_PCT): number {
  return Math.min(Math.floor(pct * n), pct * PROBATION_CAP_ROWS);
}

/** Scaled sigmoid S(y) of §1.3; exactly −1 beyond three window widths. */
export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** Strips NAB's ".000000" suffix so the label matches a data-file timestamp exactly. */
export function normaliseLabelTimestamp(ts: string): string {
  return ts.replace(/\.\d+$/, '');
}

/**
 * Converts timestamp windows to row windows using the FIRST occurrence of each timestamp,
 * because some files repeat a timestamp at a DST change.
 */
export function windowsToRows(timestamps: readonly string[], windows: readonly [string, string][]): RowWindow[] {
  const firstIndex = new Map<string, number>();
  timestamps.forEach((ts, i) => {
    if (!firstIndex.has(ts)) firstIndex.set(ts, i);
  });
  return windows.map(([from, to]) => {
    const start = firstIndex.get(normaliseLabelTimestamp(from));
    const end = firstIndex.get(normaliseLabelTimestamp(to));
    if (start === undefined || end === undefined) {
      throw new Error(`window [${from}, ${to}] does not match any row timestamp`);
    }
    return { start, end };
  });
}

/** Profile-free detection values for every row (§1.4); probationary rows are handled by the caller. */
export function rowValues(n: number, windows: readonly RowWindow[]): RowValues {
  const window = new Int32Array(n).fill(-1);
  const unit = new Float64Array(n).fill(-1);
  const sAtStart = scaledSigmoid(-1);
  let k = -1;
  for (let i = 0; i < n; i++) {
    while (k + 1 < windows.length && windows[k + 1].start <= i) k++;
    if (k < 0) continue; // before the first window: full −A_FP
    const w = windows[k];
    const width = w.end - w.start + 1;
    if (i <= w.end) {
      window[i] = k;
      unit[i] = scaledSigmoid(-(w.end - i + 1) / width) / sAtStart;
    } else {
      // Guard a 1-row window (never in NAB) so the distance stays finite.
      unit[i] = scaledSigmoid((i - w.end) / Math.max(width - 1, 1));
    }
  }
  return { window, unit };
}

function valueFor(values: RowValues, i: number, profile: CostProfile): number {
  return values.window[i] >= 0 ? profile.tp * values.unit[i] : profile.fp * values.unit[i];
}

/** Raw score and per-row counts of one file at threshold θ (§1.5); detection is a_i ≥ θ. */
export function scoreFile(
  scores: ArrayLike<number>,
  windows: readonly RowWindow[],
  profile: CostProfile,
  threshold: number,
  probation: number,
): FileScore {
  const values = rowValues(scores.length, windows);
  const best: (number | null)[] = windows.map(() => null);
  const counts: FileCounts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  let outside = 0;
  for (let i = probation; i < scores.length; i++) {
    const detected = scores[i] >= threshold;
    const k = values.window[i];
    if (k >= 0) {
      if (detected) best[k] = Math.max(best[k] ?? -Infinity, valueFor(values, i, profile));
      counts[detected ? 'tp' : 'fn']++;
    } else {
      if (detected) outside += valueFor(values, i, profile);
      counts[detected ? 'fp' : 'tn']++;
    }
  }
  const windowSum = best.reduce<number>((sum, c) => sum + (c ?? -profile.fn), 0);
  return { raw: windowSum + outside, ...counts };
}

/**
 * Exhaustive threshold sweep (§1.6): every distinct score, highest first, with the score updated
 * incrementally. Returns every state so tests can check the sequence, not only the optimum.
 */
export function sweepStates(rows: readonly SweepRow[], windowCount: number, fnCost: number): SweepState[] {
  const sorted = [...rows].sort((a, b) => b.score - a.score);
  const best = new Map<number, number>();
  let raw = -fnCost * windowCount;
  const states: SweepState[] = [{ threshold: 1.1, raw }];
  for (let i = 0; i < sorted.length; i++) {
    const row = sorted[i];
    if (row.window === null) {
      raw += row.value;
    } else {
      const previous = best.get(row.window);
      if (previous === undefined) raw += row.value + fnCost;
      else if (row.value > previous) raw += row.value - previous;
      if (previous === undefined || row.value > previous) best.set(row.window, row.value);
    }
    // Rows tied on score are all detections at that θ, so record only after the last of them.
    if (i + 1 === sorted.length || sorted[i + 1].score !== row.score) {
      states.push({ threshold: row.score, raw });
    }
  }
  return states;
}

/** Best state; on a tie the first found (highest threshold) wins. */
export function bestState(states: readonly SweepState[]): SweepState {
  return states.reduce((best, s) => (s.raw > best.raw ? s : best), states[0]);
}

/** NAB normalisation: null detector = 0, perfect detector = 100 (§1.6). */
export function normaliseScore(raw: number, profile: CostProfile, windowCount: number): number {
  const nullRaw = -profile.fn * windowCount;
  const perfectRaw = profile.tp * windowCount;
  if (perfectRaw === nullRaw) return 0;
  return (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
}

/** Scored file ready for the corpus sweep. */
export interface ScoredFile {
  name: string;
  scores: ArrayLike<number>;
  windows: RowWindow[];
}

export interface ProfileResult {
  threshold: number;
  raw: number;
  normalised: number;
  files: Record<string, FileScore>;
}

/** Pools every file's non-probationary rows with corpus-wide window ids for one profile. */
export function poolRows(files: readonly ScoredFile[], profile: CostProfile): SweepRow[] {
  const rows: SweepRow[] = [];
  let windowBase = 0;
  for (const file of files) {
    const values = rowValues(file.scores.length, file.windows);
    for (let i = probationaryLength(file.scores.length); i < file.scores.length; i++) {
      const k = values.window[i];
      rows.push({ score: file.scores[i], value: valueFor(values, i, profile), window: k >= 0 ? windowBase + k : null });
    }
    windowBase += file.windows.length;
  }
  return rows;
}

/** One profile end to end: sweep the shared threshold, then per-file raw scores at it. */
export function scoreCorpus(files: readonly ScoredFile[], profile: CostProfile): ProfileResult {
  const windowCount = files.reduce((sum, f) => sum + f.windows.length, 0);
  const { threshold, raw } = bestState(sweepStates(poolRows(files, profile), windowCount, profile.fn));
  const perFile: Record<string, FileScore> = {};
  for (const f of files) {
    perFile[f.name] = scoreFile(f.scores, f.windows, profile, threshold, probationaryLength(f.scores.length));
  }
  return { threshold, raw, normalised: normaliseScore(raw, profile, windowCount), files: perFile };
}
