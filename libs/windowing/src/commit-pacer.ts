/**
 * The commit pacer: the adaptive micro-batching control law of the aggregator (how often a partition's
 * steps are committed, and how many records a step takes), without I/O or clocks: one committed
 * batch's observation and the settings in force in, the next settings and the reason out.
 *
 * AIMD, as TCP does it but the other way round: the cost of a transaction is fixed (about five round
 * trips and the markers), so when the consumer falls behind the commit interval and the records per
 * step are multiplied (fewer, bigger transactions: more throughput), and when it is caught up they come
 * back down additively towards the minimum (small transactions: results visible sooner at low load).
 * Hysteresis keeps a steady load from oscillating: between "caught up" and "behind" nothing moves; a
 * step down needs `calmBatches` idle batches in a row, where idle means caught up AND busy (processing
 * and committing) at most half of the time. Without the second half a load that the bigger settings
 * just keep up with (lag ≈ 0, little waiting) would step down into falling behind again: a sawtooth.
 */

/** Busy at most this share of the time counts as idle: room to spend on more, smaller transactions. */
const IDLE_BUSY_FRACTION = 0.5;

export interface BatchKnobs {
  /** How long processed steps may wait before they are committed in one transaction. */
  commitIntervalMs: number;
  /** Records handed to the windows per step at most. */
  maxBatchRecords: number;
}

export interface CommitPacerOptions {
  minIntervalMs: number;
  maxIntervalMs: number;
  minRecords: number;
  maxRecords: number;
  /** End-to-end latency (event produced → result committed) the pacer accepts before it trades latency for throughput. */
  targetLatencyMs: number;
  /** At or under this lag (records) after a batch, the consumer counts as caught up. */
  caughtUpLag: number;
  /** Caught-up batches in a row before one step down. */
  calmBatches: number;
  /** Multiplier of a step up (> 1). */
  increaseFactor: number;
  /** Additive step down of the commit interval; records per step come down by the same fraction of their range. */
  decreaseStepMs: number;
}

/** What the consumer saw of the last committed batch (one transaction). */
export interface BatchObservation {
  records: number;
  /** Share of the wall time since the previous observation the process spent processing and committing (0..1). */
  busyFraction: number;
  processingMs: number;
  commitMs: number;
  lagBefore: number;
  lagAfter: number;
}

export interface CommitPacerState {
  knobs: BatchKnobs;
  /** Caught-up batches seen in a row since the last change. */
  calm: number;
}

export type BatchChange = 'up' | 'down';

export interface PaceDecision {
  state: CommitPacerState;
  /** Null when the settings stay as they were. */
  change: BatchChange | null;
  reason: string;
}

/**
 * Time from an event being produced to its window's result being committed, as far as batching adds
 * to it: the lag still to drain at the rate this batch was processed, then up to one commit interval
 * and the commit itself.
 */
export function estimateLatencyMs(obs: BatchObservation, knobs: BatchKnobs): number {
  const msPerRecord = obs.records > 0 ? (obs.processingMs + obs.commitMs) / obs.records : 0;
  return obs.lagAfter * msPerRecord + knobs.commitIntervalMs + obs.commitMs;
}

export function nextPace(obs: BatchObservation, state: CommitPacerState, o: CommitPacerOptions): PaceDecision {
  const { knobs } = state;
  const latency = estimateLatencyMs(obs, knobs);
  const growing = obs.lagAfter > obs.lagBefore;
  if (obs.lagAfter > o.caughtUpLag && (growing || latency > o.targetLatencyMs)) {
    const up: BatchKnobs = {
      commitIntervalMs: Math.min(o.maxIntervalMs, Math.round(knobs.commitIntervalMs * o.increaseFactor)),
      maxBatchRecords: Math.min(o.maxRecords, Math.round(knobs.maxBatchRecords * o.increaseFactor)),
    };
    const why = growing
      ? `lag grew ${obs.lagBefore} → ${obs.lagAfter}`
      : `lag ${obs.lagAfter} ≈ ${Math.round(latency)} ms over the ${o.targetLatencyMs} ms target`;
    if (sameKnobs(up, knobs)) return { state: { knobs, calm: 0 }, change: null, reason: `${why}, already at the maximum` };
    return { state: { knobs: up, calm: 0 }, change: 'up', reason: `${why}: ×${o.increaseFactor}` };
  }
  if (obs.lagAfter > o.caughtUpLag)
    return { state: { knobs, calm: 0 }, change: null, reason: `lag ${obs.lagAfter} within target, holding` };
  if (obs.busyFraction > IDLE_BUSY_FRACTION)
    return { state: { knobs, calm: 0 }, change: null, reason: `caught up but ${Math.round(obs.busyFraction * 100)} % busy, holding` };
  const calm = state.calm + 1;
  if (calm < o.calmBatches) return { state: { knobs, calm }, change: null, reason: `idle (${calm}/${o.calmBatches})` };
  const recordsStep = Math.max(
    1,
    Math.round(((o.maxRecords - o.minRecords) * o.decreaseStepMs) / Math.max(1, o.maxIntervalMs - o.minIntervalMs)),
  );
  const down: BatchKnobs = {
    commitIntervalMs: Math.max(o.minIntervalMs, knobs.commitIntervalMs - o.decreaseStepMs),
    maxBatchRecords: Math.max(o.minRecords, knobs.maxBatchRecords - recordsStep),
  };
  if (sameKnobs(down, knobs)) return { state: { knobs, calm: 0 }, change: null, reason: 'idle, already at the minimum' };
  return { state: { knobs: down, calm: 0 }, change: 'down', reason: `idle for ${calm} batches: −${o.decreaseStepMs} ms` };
}

/** Settings out of range (a restart with new bounds) are brought inside them. */
export function clampKnobs(k: BatchKnobs, o: CommitPacerOptions): BatchKnobs {
  return {
    commitIntervalMs: Math.min(o.maxIntervalMs, Math.max(o.minIntervalMs, k.commitIntervalMs)),
    maxBatchRecords: Math.min(o.maxRecords, Math.max(o.minRecords, k.maxBatchRecords)),
  };
}

const sameKnobs = (a: BatchKnobs, b: BatchKnobs): boolean =>
  a.commitIntervalMs === b.commitIntervalMs && a.maxBatchRecords === b.maxBatchRecords;
