import { AnomalyDetector } from './anomaly-detector';
import { erfc, normalTail } from './gaussian';

function noise(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 50 + 5 * (s / 2 ** 32 - 0.5);
  });
}

function scoreAll(detector: AnomalyDetector, values: number[]): number[] {
  return values.map((v) => detector.score(v));
}

describe(AnomalyDetector.name, () => {
  it('keeps every score in [0, 1], even for extreme and constant inputs', () => {
    const values = [...noise(500, 1), 1e12, -1e12, ...new Array<number>(300).fill(7), ...noise(200, 2)];
    for (const s of scoreAll(new AnomalyDetector(), values)) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  it('scores a spike well above the steady noise before it', () => {
    const values = noise(1500, 3);
    values[1200] = 80;
    const scores = scoreAll(new AnomalyDetector(), values);
    const steady = Math.max(...scores.slice(400, 1200));
    expect(scores[1200]).toBeGreaterThan(0.9);
    expect(steady).toBeLessThan(0.5);
  });

  it('flags a sustained burst of volatility that stays inside the seen range', () => {
    const values = noise(2000, 4);
    for (let t = 1500; t < 1540; t++) values[t] = t % 2 === 0 ? 52.4 : 47.6;
    const scores = scoreAll(new AnomalyDetector(), values);
    expect(Math.max(...scores.slice(1500, 1540))).toBeGreaterThan(Math.max(...scores.slice(400, 1500)));
  });

  it('is deterministic and continues identically after a JSON round-trip', () => {
    const values = noise(1200, 5);
    values[900] = 90;
    const a = new AnomalyDetector();
    const first = scoreAll(a, values.slice(0, 800));
    const restored = AnomalyDetector.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(first).toEqual(scoreAll(new AnomalyDetector(), values.slice(0, 800)));
    expect(scoreAll(restored, values.slice(800))).toEqual(scoreAll(a, values.slice(800)));
  });
});

describe(erfc.name, () => {
  it('matches reference values, including the far tail used by the log score', () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207, 7);
    expect(erfc(-1)).toBeCloseTo(1.842700793, 7);
    expect(normalTail(6) / 9.8658765e-10).toBeCloseTo(1, 5);
  });
});
