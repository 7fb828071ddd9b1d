import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Load at the product's 10 s windows with cycles nobody configured: 7 minutes (42 windows), 1 hour
 * (360) and both, each cycle of amplitude 40 around 200 with Gaussian noise of 15, from a fixed seed.
 * NAB-format CSVs, so forecast-eval reads them like any trace.
 */
export const SYNTHETIC_SERIES: { file: string; rows: number; periods: number[] }[] = [
  { file: 'synthetic_7min_10s.csv', rows: 720, periods: [42] },
  { file: 'synthetic_1h_10s.csv', rows: 2880, periods: [360] },
  { file: 'synthetic_7min_1h_10s.csv', rows: 2880, periods: [42, 360] },
];

export function syntheticCsv(rows: number, periods: number[], seed = 11): string {
  let s = seed >>> 0;
  const uniform = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const gaussian = (): number => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  const lines = ['timestamp,value'];
  for (let t = 0; t < rows; t++) {
    const value = 200 + periods.reduce((sum, p) => sum + 40 * Math.sin((2 * Math.PI * t) / p), 0) + 15 * gaussian();
    lines.push(`${new Date(t0 + t * 10_000).toISOString().replace('T', ' ').slice(0, 19)},${value.toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function writeSynthetic(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return SYNTHETIC_SERIES.map(({ file, rows, periods }) => {
    writeFileSync(join(dir, file), syntheticCsv(rows, periods));
    return join(dir, file);
  });
}
