/** Pure parts of the micro-batching benchmark: the load's phases, per-phase figures, the comparison. */
import { percentile } from '../bench-aggregate/bench';

export type MeasuredPhase = 'low' | 'spike' | 'after';

export interface Phase {
  /** warmup: the aggregator claims its partitions (fence, read checkpoints); not measured. */
  name: 'warmup' | MeasuredPhase;
  eventsPerSecond: number;
  seconds: number;
}

/** When a phase actually ran (wall clock, ms) and how many events the load sent in it. */
export interface PhaseSpan extends Phase {
  start: number;
  end: number;
  produced: number;
}

/** A window result as the bench read it back: its end (event time = produce time) and when it became readable. */
export interface WindowRead {
  windowEnd: number;
  readAt: number;
}

/** Sampled every 250 ms while a strategy runs. */
export interface LagSample {
  t: number;
  /**
   * The group's lag as a lag-based autoscaler sees it: Σ (high watermark − committed offset). The
   * committed offset is the oldest open window's first offset, so at steady load this includes about
   * window + grace worth of events.
   */
  lag: number;
  committed: number;
  /** How far the readable results trail the wall clock: t − (newest window end read) − grace; null before the first. */
  delayMs: number | null;
}

export interface PhaseFigures {
  produced_events_per_s: number;
  /** Committed-offset rate over the phase: what the aggregator got through. */
  consumed_events_per_s: number | null;
  /** Window results whose end falls in the phase. */
  windows: number;
  /** From the moment a window could close (its end plus grace, event time = produce time) to its result being readable. */
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
  peak_lag: number | null;
  /** Largest delay of the readable results behind the wall clock (see LagSample.delayMs). */
  peak_delay_ms: number | null;
}

export interface StrategyFigures {
  phases: Record<MeasuredPhase, PhaseFigures>;
  /** From the end of the spike until the results' delay is back to its level before the spike; null if it never was within the run. */
  drain_s: number | null;
  /** Delay counted as "back": the p95 of the second half of the low phase before the spike, at least `floorMs`. */
  baseline_delay_ms: number | null;
}

export function loadPhases(
  lowRate: number,
  spikeRate: number,
  lowSeconds: number,
  spikeSeconds: number,
  afterSeconds: number,
  warmupSeconds = 3,
): Phase[] {
  return [
    { name: 'warmup', eventsPerSecond: lowRate, seconds: warmupSeconds },
    { name: 'low', eventsPerSecond: lowRate, seconds: lowSeconds },
    { name: 'spike', eventsPerSecond: spikeRate, seconds: spikeSeconds },
    { name: 'after', eventsPerSecond: lowRate, seconds: afterSeconds },
  ];
}

/** Events to send in a tick so that the count so far follows the rate: no drift from rounding. */
export const dueBy = (eventsPerSecond: number, elapsedMs: number): number => Math.floor((eventsPerSecond * elapsedMs) / 1000);

export function strategyFigures(
  spans: PhaseSpan[],
  windows: WindowRead[],
  lag: LagSample[],
  graceMs: number,
  floorMs = 0,
): StrategyFigures {
  const phases = {} as Record<MeasuredPhase, PhaseFigures>;
  for (const span of spans) {
    if (span.name === 'warmup') continue;
    const inPhase = windows.filter((w) => w.windowEnd >= span.start && w.windowEnd < span.end);
    const latencies = inPhase.map((w) => w.readAt - (w.windowEnd + graceMs));
    const samples = lag.filter((s) => s.t >= span.start && s.t <= span.end);
    const first = samples[0];
    const last = samples.at(-1);
    phases[span.name] = {
      produced_events_per_s: Math.round((span.produced * 1000) / (span.end - span.start)),
      consumed_events_per_s:
        first && last && last.t > first.t ? Math.round(((last.committed - first.committed) * 1000) / (last.t - first.t)) : null,
      windows: inPhase.length,
      latency_p50_ms: percentile(latencies, 50),
      latency_p99_ms: percentile(latencies, 99),
      peak_lag: samples.length > 0 ? Math.max(...samples.map((s) => s.lag)) : null,
      peak_delay_ms: maxOf(samples.map((s) => s.delayMs)),
    };
  }
  const low = spans.find((s) => s.name === 'low');
  const spike = spans.find((s) => s.name === 'spike');
  const before = low
    ? lag
        .filter((s) => s.t >= low.start + (low.end - low.start) / 2 && s.t <= low.end && s.delayMs !== null)
        .map((s) => s.delayMs as number)
    : [];
  const p95 = percentile(before, 95);
  const baseline = p95 === null ? null : Math.max(p95, floorMs);
  const back = spike && baseline !== null ? lag.find((s) => s.t > spike.end && s.delayMs !== null && s.delayMs <= baseline) : undefined;
  // Counted from the end of the spike: a strategy that kept up is back at once (0 s).
  return { phases, drain_s: back && spike ? Math.round((back.t - spike.end) / 100) / 10 : null, baseline_delay_ms: baseline };
}

function maxOf(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length > 0 ? Math.max(...present) : null;
}

export interface PhaseVerdict {
  /** What "best" means in this phase. */
  by: string;
  best: string;
  adaptive: number | null;
  best_value: number | null;
  adaptive_within_10_percent: boolean;
}

/**
 * Low-load phases are won on p99 latency, the spike on drain time. Lower is better; a strategy without
 * the figure (never drained) loses. "Within 10 %" allows the drain time one lag sample (0.25 s) more:
 * it is measured in those steps.
 */
export function verdicts(results: Record<string, StrategyFigures>, adaptive = 'adaptive'): Record<MeasuredPhase, PhaseVerdict> {
  const pick = (by: string, value: (f: StrategyFigures) => number | null, slack = 0): PhaseVerdict => {
    const ranked = Object.entries(results)
      .map(([name, f]) => ({ name, v: value(f) }))
      .sort((a, b) => (a.v ?? Infinity) - (b.v ?? Infinity));
    const best = ranked[0];
    const a = results[adaptive] ? value(results[adaptive]) : null;
    return {
      by,
      best: best.name,
      best_value: best.v,
      adaptive: a,
      adaptive_within_10_percent: a !== null && best.v !== null && a <= best.v * 1.1 + slack,
    };
  };
  return {
    low: pick('latency_p99_ms', (f) => f.phases.low.latency_p99_ms),
    spike: pick('drain_s', (f) => f.drain_s, 0.25),
    after: pick('latency_p99_ms', (f) => f.phases.after.latency_p99_ms),
  };
}
