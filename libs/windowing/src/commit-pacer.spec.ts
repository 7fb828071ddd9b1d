import { CommitPacerOptions, CommitPacerState, BatchObservation, clampKnobs, estimateLatencyMs, nextPace } from './commit-pacer';

const options: CommitPacerOptions = {
  minIntervalMs: 20,
  maxIntervalMs: 1_000,
  minRecords: 200,
  maxRecords: 20_000,
  targetLatencyMs: 500,
  caughtUpLag: 100,
  calmBatches: 3,
  increaseFactor: 2,
  decreaseStepMs: 20,
};
const state = (commitIntervalMs: number, maxBatchRecords: number, calm = 0): CommitPacerState => ({
  knobs: { commitIntervalMs, maxBatchRecords },
  calm,
});
const obs = (
  lagBefore: number,
  lagAfter: number,
  records = 1_000,
  processingMs = 10,
  commitMs = 5,
  busyFraction = 0.2,
): BatchObservation => ({ records, busyFraction, processingMs, commitMs, lagBefore, lagAfter });

/** Feeds the same observation n times, returning the changes. */
function run(o: BatchObservation, from: CommitPacerState, n: number): { last: CommitPacerState; changes: string[] } {
  let s = from;
  const changes: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = nextPace(o, s, options);
    if (d.change) changes.push(d.change);
    s = d.state;
  }
  return { last: s, changes };
}

describe(nextPace.name, () => {
  it('multiplies the interval and the records per step when the lag grows', () => {
    const d = nextPace(obs(5_000, 9_000), state(100, 1_000), options);
    expect(d.change).toBe('up');
    expect(d.state.knobs).toEqual({ commitIntervalMs: 200, maxBatchRecords: 2_000 });
    expect(d.reason).toMatch(/lag grew 5000 → 9000: ×2/);
  });

  it('steps up when a shrinking lag still costs more than the target latency', () => {
    // 50,000 records at 15 ms per 1,000 records: 750 ms to drain, over the 500 ms target.
    const d = nextPace(obs(60_000, 50_000), state(100, 1_000), options);
    expect(d.change).toBe('up');
    expect(d.reason).toMatch(/over the 500 ms target/);
  });

  it('holds in the band between caught up and over target, and resets the calm count there', () => {
    const d = nextPace(obs(3_000, 2_000), state(400, 4_000, 2), options);
    expect(d.change).toBeNull();
    expect(d.state).toEqual(state(400, 4_000, 0));
  });

  it('stops at the maximum and says so', () => {
    const d = nextPace(obs(5_000, 9_000), state(1_000, 20_000), options);
    expect(d.change).toBeNull();
    expect(d.reason).toMatch(/already at the maximum/);
    expect(nextPace(obs(5_000, 9_000), state(800, 15_000), options).state.knobs).toEqual({
      commitIntervalMs: 1_000,
      maxBatchRecords: 20_000,
    });
  });

  it('steps down additively only after calmBatches idle batches in a row', () => {
    const { last, changes } = run(obs(50, 0), state(200, 4_000), 9);
    // 9 caught-up batches, a step down every 3: 200 → 140 ms, records by the same fraction of their range (20 ms of 980 → 404).
    expect(changes).toEqual(['down', 'down', 'down']);
    expect(last.knobs.commitIntervalMs).toBe(140);
    expect(last.knobs.maxBatchRecords).toBe(4_000 - 3 * 404);
  });

  it('comes back to the minimum at low load and stays there', () => {
    const { last, changes } = run(obs(0, 0), state(1_000, 20_000), 400);
    expect(last.knobs).toEqual({ commitIntervalMs: 20, maxBatchRecords: 200 });
    expect(changes.every((c) => c === 'down')).toBe(true);
    expect(nextPace(obs(0, 0), { ...last, calm: 2 }, options).reason).toMatch(/already at the minimum/);
  });

  it('holds while caught up but busy: the bigger settings are what keeps it caught up', () => {
    // No lag, but busy 90 % of the time: stepping down would fall behind again.
    const busy = obs(0, 0, 5_000, 25, 5, 0.9);
    const { last, changes } = run(busy, state(400, 8_000), 50);
    expect(changes).toEqual([]);
    expect(last.knobs).toEqual({ commitIntervalMs: 400, maxBatchRecords: 8_000 });
    expect(nextPace(busy, state(400, 8_000), options).reason).toMatch(/busy/);
  });

  it('does not oscillate on a steady load that it keeps up with inside the band', () => {
    // A steady load whose lag after each batch sits between caught up and the target: no change at all.
    expect(run(obs(800, 800), state(300, 3_000), 200).changes).toEqual([]);
  });

  it('recovers from a spike: up while behind, then down once caught up', () => {
    const up = run(obs(10_000, 40_000), state(20, 200), 10);
    expect(up.last.knobs).toEqual({ commitIntervalMs: 1_000, maxBatchRecords: 20_000 });
    // 20 → 1,000 ms in 6 doublings; 200 → 20,000 records in 7.
    expect(up.changes).toEqual(Array(7).fill('up'));
    const down = run(obs(0, 0), up.last, 30);
    expect(down.changes).toHaveLength(10);
    expect(down.last.knobs.commitIntervalMs).toBe(800);
  });
});

describe(estimateLatencyMs.name, () => {
  it('adds the time to drain the lag at the observed rate, the interval and the commit', () => {
    expect(estimateLatencyMs(obs(0, 2_000, 1_000, 45, 5), { commitIntervalMs: 100, maxBatchRecords: 1_000 })).toBe(2_000 * 0.05 + 100 + 5);
    expect(estimateLatencyMs(obs(0, 0, 0, 0, 3), { commitIntervalMs: 100, maxBatchRecords: 1_000 })).toBe(103);
  });
});

describe(clampKnobs.name, () => {
  it('brings settings inside the bounds', () => {
    expect(clampKnobs({ commitIntervalMs: 5, maxBatchRecords: 1e9 }, options)).toEqual({ commitIntervalMs: 20, maxBatchRecords: 20_000 });
  });
});
