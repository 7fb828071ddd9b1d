import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SimConfig } from './config';

export interface Trace {
  /** file name, the key of the JSON report */
  name: string;
  /** demand in events/s per trace row, already scaled to the capacity model */
  rows: number[];
  /** daily and weekly periods in rows, for the forecaster (only those the trace can show twice) */
  periods: number[];
}

/** Parses a NAB `timestamp,value` CSV; rows stay in file order (NAB files are never re-sorted). */
export function parseNabCsv(text: string): { timestamps: number[]; values: number[] } {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (const line of text.split(/\r?\n/).slice(1)) {
    if (line.trim() === '') continue;
    const comma = line.lastIndexOf(',');
    const value = Number(line.slice(comma + 1));
    if (!Number.isFinite(value)) throw new Error(`not a number in row: ${line}`);
    timestamps.push(Date.parse(`${line.slice(0, comma).replace(' ', 'T')}Z`));
    values.push(Math.max(0, value));
  }
  return { timestamps, values };
}

/** Seasonal periods in rows from the median sampling interval (NAB files have DST gaps and repeats). */
export function seasonalPeriods(timestamps: number[]): number[] {
  const gaps = timestamps
    .slice(1)
    .map((t, i) => t - timestamps[i])
    .filter((g) => g > 0)
    .sort((a, b) => a - b);
  if (gaps.length === 0) return [];
  const interval = gaps[Math.floor(gaps.length / 2)];
  const day = Math.round(86_400_000 / interval);
  return [day, day * 7].filter((p) => p >= 2 && p * 2 <= timestamps.length);
}

/** Scales raw values so that the peak row needs exactly `peakReplicas` replicas at full capacity. */
export function scaleToCapacity(values: number[], config: SimConfig): number[] {
  const peak = values.reduce((m, v) => Math.max(m, v), 0);
  if (!(peak > 0)) throw new Error('trace has no positive value');
  const k = (config.peakReplicas * config.capacityPerReplica) / peak;
  return values.map((v) => v * k);
}

export function readTrace(path: string, config: SimConfig): Trace {
  const { timestamps, values } = parseNabCsv(readFileSync(path, 'utf8'));
  return { name: basename(path), rows: scaleToCapacity(values, config), periods: seasonalPeriods(timestamps) };
}

/** Demand per simulated second: each row held for `rowSeconds` (a step function, no interpolation). */
export function expandRows(rows: number[], rowSeconds: number): Float64Array {
  const out = new Float64Array(rows.length * rowSeconds);
  rows.forEach((v, i) => out.fill(v, i * rowSeconds, (i + 1) * rowSeconds));
  return out;
}
