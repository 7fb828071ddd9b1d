import {
  bestState,
  CostProfile,
  normaliseScore,
  probationaryLength,
  RowWindow,
  scaledSigmoid,
  scoreCorpus,
  scoreFile,
  sweepStates,
  SweepRow,
  windowsToRows,
} from './scoring';

const UNIT: CostProfile = { tp: 1, fp: 1, fn: 1 };

/** NAB's test helper generateWindows(n, k, size) from SCORING.md §1.8. */
function generateWindows(n: number, k: number, size: number): RowWindow[] {
  const gap = Math.round((n - k * size) / (k + 1));
  return Array.from({ length: k }, (_, j) => {
    const start = gap * (j + 1) + size * j;
    return { start, end: start + size - 1 };
  });
}

function detectionsAt(n: number, rows: number[]): Float64Array {
  const scores = new Float64Array(n);
  for (const r of rows) scores[r] = 1;
  return scores;
}

describe('scaledSigmoid', () => {
  it.each([
    [-1, 0.9866142982],
    [-0.5, 0.84828364],
    [-0.1, 0.2449186624],
    [0, 0],
    [0.01, -0.0249948],
    [0.25, -0.5545997],
    [0.5, -0.8482836],
    [0.75, -0.9540453],
    [1, -0.9866143],
    [2, -0.9999092],
  ])('S(%p) matches the reference table', (y, expected) => {
    expect(scaledSigmoid(y)).toBeCloseTo(expected, 6);
  });

  it('is exactly -1 beyond three widths', () => {
    expect(scaledSigmoid(3.0001)).toBe(-1);
  });
});

describe(scoreFile.name, () => {
  it('case 1: no windows and no detections score 0', () => {
    expect(scoreFile(new Float64Array(100), [], UNIT, 0.5, 0).raw).toBe(0);
  });

  it('case 2: a detection on the first row of a 2-row window scores exactly A_TP', () => {
    const result = scoreFile(detectionsAt(10, [4]), [{ start: 4, end: 5 }], UNIT, 0.5, 0);
    expect(result.raw).toBe(1);
    expect(result).toMatchObject({ tp: 1, fn: 1, tn: 8, fp: 0 });
  });

  it('case 3: one detection with no windows scores exactly -A_FP', () => {
    expect(scoreFile(detectionsAt(100, [42]), [], UNIT, 0.5, 0).raw).toBe(-1);
    expect(scoreFile(detectionsAt(100, [42]), [], { tp: 1, fp: 0.11, fn: 1 }, 0.5, 0).raw).toBe(-0.11);
  });

  it('case 4: missed windows cost A_FN each', () => {
    expect(scoreFile(new Float64Array(1000), generateWindows(1000, 1, 10), UNIT, 1, 0).raw).toBe(-1);
    expect(scoreFile(new Float64Array(2000), generateWindows(2000, 4, 10), UNIT, 1, 0).raw).toBe(-4);
  });

  it('case 5: one TP, one missed window and one FP just after a window', () => {
    const windows = [
      { start: 30, end: 34 },
      { start: 65, end: 69 },
    ];
    const result = scoreFile(detectionsAt(100, [30, 31, 37]), windows, UNIT, 0.5, 0);
    expect(result.raw).toBeCloseTo(-0.954, 4);
    expect(result.raw).toBeCloseTo(1 + scaledSigmoid(0.75) - 1, 10);
    expect(result).toMatchObject({ tp: 2, fp: 1, fn: 8, tn: 89 });
  });

  it('case 6: a detection on the right edge earns a little, one row later costs a miss plus an FP', () => {
    const windows = [{ start: 450, end: 549 }];
    const onEdge = scoreFile(detectionsAt(1000, [549]), windows, UNIT, 0.5, 0).raw;
    const pastEdge = scoreFile(detectionsAt(1000, [550]), windows, UNIT, 0.5, 0).raw;
    expect(onEdge).toBeCloseTo(0.025334, 6);
    expect(pastEdge).toBeCloseTo(-1.025247, 6);
    expect(onEdge + pastEdge + 1).toBeCloseTo(8.7e-5, 6);
  });

  it('case 7: an undetected 10-row window costs A_FN, whatever A_FP is', () => {
    const windows = generateWindows(100, 1, 10);
    expect(scoreFile(new Float64Array(100), windows, UNIT, 1, 0).raw).toBe(-1);
    expect(scoreFile(new Float64Array(100), windows, { tp: 1, fp: 0.055, fn: 2 }, 1, 0).raw).toBe(-2);
  });

  it('ignores detections inside the probationary period', () => {
    expect(scoreFile(detectionsAt(100, [3]), [], UNIT, 0.5, 15).raw).toBe(0);
  });

  it('treats a score equal to the threshold as a detection', () => {
    const scores = new Float64Array(10).fill(0.3);
    expect(scoreFile(scores, [], UNIT, 0.3, 0).fp).toBe(10);
  });
});

describe(probationaryLength.name, () => {
  it('case 8: is floor(pct*n) capped at pct*5000', () => {
    expect(probationaryLength(100, 0.15)).toBe(15);
    expect(probationaryLength(100, 0.1)).toBe(10);
    expect(probationaryLength(5000, 0.1)).toBe(500);
    expect(probationaryLength(6000, 0.1)).toBe(500);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(1243)).toBe(186);
    expect(probationaryLength(22695)).toBe(750);
  });
});

describe(sweepStates.name, () => {
  it('case 9: produces the documented sequence of states as the threshold falls', () => {
    // Probationary rows (a = 0.5, v = -1000) are excluded before pooling, as the scorer does.
    const rows: SweepRow[] = [
      { score: 0.0, value: -3, window: null },
      { score: 0.2, value: 20, window: 0 },
      { score: 0.3, value: 10, window: 0 },
      { score: 0.5, value: 5, window: 1 },
      { score: 0.5, value: -3, window: null },
    ];
    const states = sweepStates(rows, 2, 5);
    expect(states).toEqual([
      { threshold: 1.1, raw: -10 },
      { threshold: 0.5, raw: -3 },
      { threshold: 0.3, raw: 12 },
      { threshold: 0.2, raw: 22 },
      { threshold: 0.0, raw: 19 },
    ]);
    expect(bestState(states)).toEqual({ threshold: 0.2, raw: 22 });
  });

  it('keeps the highest threshold on a tie', () => {
    const rows: SweepRow[] = [
      { score: 0.9, value: 1, window: 0 },
      { score: 0.5, value: 0, window: null },
    ];
    expect(bestState(sweepStates(rows, 1, 1)).threshold).toBe(0.9);
  });
});

describe(windowsToRows.name, () => {
  it('uses the first occurrence of a repeated timestamp and strips the fraction', () => {
    const ts = ['2014-11-02 00:00:00', '2014-11-02 01:00:00', '2014-11-02 01:00:00', '2014-11-02 02:00:00'];
    expect(windowsToRows(ts, [['2014-11-02 01:00:00.000000', '2014-11-02 02:00:00.000000']])).toEqual([{ start: 1, end: 3 }]);
  });

  it('rejects a window that matches no row', () => {
    expect(() => windowsToRows(['2014-01-01 00:00:00'], [['2015-01-01 00:00:00', '2015-01-02 00:00:00']])).toThrow(/does not match/);
  });
});

describe(normaliseScore.name, () => {
  it('reproduces the worked example: numenta standard raw 46.6345 over 116 windows is 70.10', () => {
    expect(normaliseScore(46.6345, { tp: 1, fp: 0.11, fn: 1 }, 116)).toBeCloseTo(70.1, 2);
  });

  it('maps null to 0 and perfect to 100 for the low-FN profile', () => {
    const lowFn = { tp: 1, fp: 0.11, fn: 2 };
    expect(normaliseScore(-232, lowFn, 116)).toBe(0);
    expect(normaliseScore(116, lowFn, 116)).toBe(100);
  });
});

describe(scoreCorpus.name, () => {
  it('finds the shared threshold that detects each window start and nothing else', () => {
    const n = 1000;
    const windows = generateWindows(n, 1, 100);
    const scores = new Float64Array(n).fill(0.1);
    scores[windows[0].start] = 0.9;
    scores[900] = 0.5; // an FP that a lower threshold would pay for
    const result = scoreCorpus([{ name: 'a.csv', scores, windows }], { tp: 1, fp: 0.11, fn: 1 });
    expect(result.threshold).toBe(0.9);
    expect(result.normalised).toBeCloseTo(100, 10);
    expect(result.files['a.csv'].raw).toBeCloseTo(1, 10);
  });
});
