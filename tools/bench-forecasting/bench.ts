import { AnomalyDetector, createDefaultEnsemble } from '@smartscale/forecasting';

/** One timed model: `step` is what a predictor does per point; `state` is what it keeps per series. */
export interface Subject {
  name: string;
  step(value: number, timestampMs: number): void;
  state(): unknown;
}

export interface SubjectResult {
  name: string;
  microsPerPoint: number;
  /** JSON bytes of the state after the whole series */
  stateBytes: number;
}

export interface SeriesBench {
  name: string;
  rows: number;
  periods: number[];
  subjects: SubjectResult[];
}

export interface SubjectSummary extends SubjectResult {
  /** µs per point over naive's µs per point, both measured in this run */
  timeVsNaive: number;
  stateVsNaive: number;
  maxStateBytes: number;
}

export const NAIVE = 'naive';

/**
 * Fresh subjects for one series: the anomaly detector (score), the ensemble and each of its members
 * on its own (learn + forecast(horizon)). A member taken from a freshly built ensemble is a fresh
 * standalone model: the ensemble only holds it, so timing it alone excludes the others.
 */
export function subjectsFor(periods: number[], horizon: number): Subject[] {
  const forecasterSubject = (name: string, f: ReturnType<typeof createDefaultEnsemble>['members'][number]): Subject => ({
    name,
    step: (v) => {
      f.learn(v);
      f.forecast(horizon);
    },
    state: () => f.toJSON(),
  });
  const memberKinds = createDefaultEnsemble(periods).members.map((m) => m.kind);
  const detector = new AnomalyDetector();
  return [
    { name: 'anomaly-detector', step: (v, ts) => detector.score(v, ts), state: () => detector.toJSON() },
    ...memberKinds.map((kind, k) => forecasterSubject(kind, createDefaultEnsemble(periods).members[k])),
    forecasterSubject('ensemble', createDefaultEnsemble(periods)),
  ];
}

/** Runs every subject over the whole series, one after the other, timing each pass as a whole. */
export function benchSeries(name: string, values: number[], timestamps: number[], subjects: Subject[], periods: number[]): SeriesBench {
  const results = subjects.map((s) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < values.length; i++) s.step(values[i], timestamps[i]);
    const nanos = Number(process.hrtime.bigint() - started);
    return { name: s.name, microsPerPoint: nanos / 1000 / values.length, stateBytes: JSON.stringify(s.state()).length };
  });
  return { name, rows: values.length, periods, subjects: results };
}

/** Point-weighted µs per point and mean state per subject across series, with ratios to naive. */
export function summarise(series: SeriesBench[]): SubjectSummary[] {
  const names = series[0]?.subjects.map((s) => s.name) ?? [];
  const rows = series.reduce((sum, s) => sum + s.rows, 0);
  const totals = names.map((name) => {
    const of = series.map((s) => ({ rows: s.rows, r: s.subjects.find((x) => x.name === name) as SubjectResult }));
    return {
      name,
      microsPerPoint: of.reduce((sum, x) => sum + x.r.microsPerPoint * x.rows, 0) / rows,
      stateBytes: of.reduce((sum, x) => sum + x.r.stateBytes, 0) / of.length,
      maxStateBytes: Math.max(...of.map((x) => x.r.stateBytes)),
    };
  });
  const naive = totals.find((t) => t.name === NAIVE);
  return totals.map((t) => ({
    ...t,
    timeVsNaive: naive ? t.microsPerPoint / naive.microsPerPoint : NaN,
    stateVsNaive: naive ? t.stateBytes / naive.stateBytes : NaN,
  }));
}
