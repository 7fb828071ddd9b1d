import {
  beats,
  choose,
  guarded,
  heldOutBeatsShipped,
  gridCandidates,
  leaveOneTraceOut,
  Outcome,
  ratios,
  scoreOn,
  targetsMet,
  TraceEvaluation,
} from './cross-validate';

const o = (under: number, rh: number, actions: number): Outcome => ({
  under_provisioned_minutes: under,
  replica_hours: rh,
  scaling_actions: actions,
});
const HPA = o(100, 100, 100);

describe(gridCandidates.name, () => {
  it('is the cartesian product in order, an object value moving its fields together', () => {
    const c = gridCandidates({ serviceLevel: [0.7, 0.9], hold: [{ scaleDownStabilizationMs: 120000, scaleDownCooldownMs: 120000 }] });
    expect(c).toEqual([
      {
        name: 'serviceLevel=0.7 hold={"scaleDownStabilizationMs":120000,"scaleDownCooldownMs":120000}',
        fields: { serviceLevel: 0.7, scaleDownStabilizationMs: 120000, scaleDownCooldownMs: 120000 },
      },
      {
        name: 'serviceLevel=0.9 hold={"scaleDownStabilizationMs":120000,"scaleDownCooldownMs":120000}',
        fields: { serviceLevel: 0.9, scaleDownStabilizationMs: 120000, scaleDownCooldownMs: 120000 },
      },
    ]);
    expect(() => gridCandidates({ serviceLevel: [] })).toThrow(/non-empty array/);
  });
});

describe(targetsMet.name, () => {
  it("counts the issue's targets: ≤ 0.5× under-provisioning, ≤ 1.0× replica-hours, ≤ 0.5× actions", () => {
    expect(targetsMet(o(50, 100, 50), HPA)).toBe(3);
    expect(targetsMet(o(51, 100.1, 50), HPA)).toBe(1);
    // against HPA's zero, only zero meets a ratio target (and the ratio is null, not a division by zero)
    expect(targetsMet(o(0, 90, 10), o(0, 100, 100))).toBe(3);
    expect(targetsMet(o(0.1, 90, 10), o(0, 100, 100))).toBe(2);
    expect(ratios(o(0, 90, 10), o(0, 100, 100))).toEqual({ under_provisioned_minutes: null, replica_hours: 0.9, scaling_actions: 0.1 });
  });
});

describe(scoreOn.name, () => {
  it('ranks by traces meeting all three, then targets met, then the geometric mean replica-hours ratio', () => {
    const ev: Record<string, TraceEvaluation> = {
      a: { hpa: HPA, candidates: { cheap: o(60, 80, 40), safe: o(40, 110, 40) } },
      b: { hpa: HPA, candidates: { cheap: o(60, 80, 40), safe: o(40, 100, 40) } },
    };
    const cheap = scoreOn(ev, ['a', 'b'], 'cheap');
    const safe = scoreOn(ev, ['a', 'b'], 'safe');
    expect(cheap).toEqual({ allThree: 0, targets: 4, replicaHoursRatio: expect.closeTo(0.8, 9) as number, worstUnderRatio: 0.6 });
    expect(safe).toEqual({ allThree: 1, targets: 5, replicaHoursRatio: expect.closeTo(Math.sqrt(1.1), 9) as number, worstUnderRatio: 0.4 });
    expect(beats(safe, cheap)).toBe(true);
    expect(beats({ ...safe, replicaHoursRatio: 0.9 }, safe)).toBe(true);
    expect(beats(safe, safe)).toBe(false);
    expect(() => scoreOn(ev, ['a'], 'missing')).toThrow(/not run on a/);
  });

  it('never prefers a candidate short of capacity more often than HPA on some trace, however many targets it meets', () => {
    const ev: Record<string, TraceEvaluation> = {
      calm: { hpa: HPA, candidates: { lean: o(40, 90, 40), steady: o(45, 101, 40) } },
      bursty: { hpa: HPA, candidates: { lean: o(240, 85, 40), steady: o(48, 102, 40) } },
    };
    const lean = scoreOn(ev, ['calm', 'bursty'], 'lean');
    const steady = scoreOn(ev, ['calm', 'bursty'], 'steady');
    expect([lean.allThree, lean.targets, lean.worstUnderRatio, guarded(lean)]).toEqual([1, 5, 2.4, false]);
    expect([steady.allThree, steady.targets, guarded(steady)]).toEqual([0, 4, true]);
    expect(choose(ev, ['calm', 'bursty'], ['lean', 'steady']).chosen).toBe('steady');
    // with no trace where it falls short, the better score wins again
    expect(choose(ev, ['calm'], ['steady', 'lean']).chosen).toBe('lean');
    // a candidate short of capacity where HPA never was fails the guard
    expect(scoreOn({ z: { hpa: o(0, 100, 100), candidates: { c: o(1, 90, 10) } } }, ['z'], 'c').worstUnderRatio).toBe(Infinity);
  });

  it('keeps the earlier candidate on a tie (the shipped default is listed first)', () => {
    const ev: Record<string, TraceEvaluation> = { a: { hpa: HPA, candidates: { shipped: o(10, 90, 10), other: o(5, 90, 5) } } };
    expect(choose(ev, ['a'], ['shipped', 'other']).chosen).toBe('shipped');
    expect(choose(ev, ['a'], ['other', 'shipped']).chosen).toBe('other');
  });
});

describe(leaveOneTraceOut.name, () => {
  // x suits traces 1 and 2, y suits 3 and 4: the held-out choice must come from the other traces only
  const ev: Record<string, TraceEvaluation> = {
    t1: { hpa: HPA, candidates: { x: o(40, 95, 40), y: o(60, 90, 40) } },
    t2: { hpa: HPA, candidates: { x: o(40, 95, 40), y: o(60, 90, 40) } },
    t3: { hpa: HPA, candidates: { x: o(40, 105, 40), y: o(40, 99, 40) } },
    t4: { hpa: HPA, candidates: { x: o(45, 120, 40), y: o(40, 98, 40) } },
  };

  it('chooses on the other traces for each held-out trace and scores the held-out trace with that choice', () => {
    const cv = leaveOneTraceOut(ev, ['x', 'y']);
    expect(cv.folds.map((f) => [f.heldOut, f.chosen, f.heldOutTargets])).toEqual([
      ['t1', 'y', 2], // on t2..t4 y meets all three twice, x once: y, which misses t1's under-provisioning
      ['t2', 'y', 2],
      ['t3', 'x', 2], // on t1, t2, t4: x twice, y once
      ['t4', 'x', 2],
    ]);
    expect(cv.heldOut).toEqual({ allThree: 0, targets: 8, traces: 4 });
    // on all four the tie (2 traces each, 10 targets each) goes to the cheaper replica-hours
    expect(cv.allTuning.chosen).toBe('y');
    expect(cv.candidates.x).toMatchObject({ allThree: 2, targets: 10 });
    expect(cv.candidates.y).toMatchObject({ allThree: 2, targets: 10 });
  });

  it('replaces the shipped default only when the held-out score beats it on the same traces', () => {
    const shipped = { allThree: 3, targets: 18, replicaHoursRatio: 1.01, worstUnderRatio: 0.7 };
    expect(heldOutBeatsShipped({ allThree: 2, targets: 18, traces: 10 }, shipped)).toBe(false);
    expect(heldOutBeatsShipped({ allThree: 3, targets: 18, traces: 10 }, shipped)).toBe(false);
    expect(heldOutBeatsShipped({ allThree: 3, targets: 19, traces: 10 }, shipped)).toBe(true);
    expect(heldOutBeatsShipped({ allThree: 2, targets: 11, traces: 6 }, { ...shipped, allThree: 0, targets: 11 })).toBe(true);
  });

  it('needs at least two traces', () => {
    expect(() => leaveOneTraceOut({ t1: ev.t1 }, ['x'])).toThrow(/at least 2 traces/);
  });
});
