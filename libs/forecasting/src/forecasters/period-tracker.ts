import { detectPeriods, PeriodDetectorConfig } from './period-detector';

export interface PeriodTrackerState {
  /** ring of the last `capacity` values; `next` is the oldest slot once full */
  history: number[];
  next: number;
  sinceCheck: number;
  periods: number[];
  /** per period in `periods`: consecutive re-checks that did not find it */
  misses?: number[];
}

/**
 * Detection over a rolling history, re-checked as data arrives: often while the history is short
 * (a few-minute cycle is found right after its second cycle), about every 60 steps (10 min of 10 s
 * windows) once it is long, because each check is an FFT of twice the history.
 */
export class PeriodTracker {
  readonly capacity: number;

  constructor(
    readonly config: PeriodDetectorConfig,
    private readonly state: PeriodTrackerState = { history: [], next: 0, sinceCheck: 0, periods: [] },
  ) {
    this.capacity = 2 * config.maxPeriod + 2 * RECHECK_MAX;
  }

  get periods(): number[] {
    return this.state.periods;
  }

  /** values held, up to `capacity` */
  get length(): number {
    return this.state.history.length;
  }

  /** The history, oldest first. */
  values(): number[] {
    const { history, next } = this.state;
    return history.length < this.capacity ? [...history] : [...history.slice(next), ...history.slice(0, next)];
  }

  /** Adds a value; true when a re-check changed the periods (new ones, or some gone). */
  push(value: number): boolean {
    const s = this.state;
    if (s.history.length < this.capacity) s.history.push(value);
    else s.history[s.next] = value;
    s.next = (s.next + 1) % this.capacity;
    if (++s.sinceCheck < Math.max(RECHECK_MIN, Math.min(RECHECK_MAX, Math.floor(s.history.length / 16)))) return false;
    s.sinceCheck = 0;
    const detected = this.detect();
    const next = withHysteresis(detected, s.periods, s.misses ?? s.periods.map(() => 0), this.config.maxPeriods);
    const changed = !samePeriods(next.periods, s.periods);
    s.periods = next.periods;
    s.misses = next.misses;
    return changed;
  }

  /**
   * Forgets the history (not the periods in use): after a gap the series cannot be aligned with
   * what came before it, and an autocorrelation across the seam would measure nothing.
   */
  restart(): void {
    this.state.history = [];
    this.state.next = 0;
    this.state.sinceCheck = 0;
  }

  /**
   * The periods of the longest recent stretch that has any: the whole history first, then its
   * latest half, quarter... so a cycle that began recently (a new traffic pattern, a history that
   * starts with another service's replayed windows) is found after two of its own cycles, not once
   * it fills the history. Each stretch is half the last, so the checks cost at most twice one.
   */
  private detect(): number[] {
    const all = this.values();
    for (let length = all.length; length >= 4 * this.config.minPeriod; length = Math.floor(length / 2)) {
      const found = detectPeriods(length === all.length ? all : all.slice(all.length - length), this.config);
      if (found.length > 0) return found.map((d) => d.period);
    }
    return [];
  }

  toJSON(): PeriodTrackerState {
    return structuredClone(this.state);
  }
}

/**
 * A period in use survives MISSES_TO_DROP - 1 re-checks that miss it: on bursty series (tweet
 * volumes) a daily cycle hovers around the threshold, and dropping and re-finding it every other
 * check rebuilt the models each time (850 µs per point instead of 95 in forecast-eval).
 */
const MISSES_TO_DROP = 3;

export function withHysteresis(
  detected: number[],
  held: number[],
  misses: number[],
  maxPeriods = 3,
): { periods: number[]; misses: number[] } {
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= Math.max(1, 0.05 * a);
  const kept = held
    .map((p, i) => ({ p, miss: detected.some((d) => close(d, p)) ? 0 : misses[i] + 1 }))
    .filter((x) => x.miss > 0 && x.miss < MISSES_TO_DROP);
  // What this check found comes first; held periods fill what is left of the allowance.
  const all = [...detected.map((p) => ({ p, miss: 0 })), ...kept].slice(0, maxPeriods).sort((a, b) => a.p - b.p);
  return { periods: all.map((x) => x.p), misses: all.map((x) => x.miss) };
}

const RECHECK_MIN = 3;
const RECHECK_MAX = 60;

/**
 * Within 0.5 %: exact for cycles under 200 steps, where one step off misaligns a seasonal model,
 * while a day found as 8699 and then 8706 windows is the same cycle and rebuilding its models (a
 * replay of two days) for it would be waste.
 */
export function samePeriods(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((p, i) => Math.abs(p - b[i]) <= 0.005 * p);
}
