import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CorpusFile, Labels, listCsvFiles, parseNabCsv, timestampMs } from '../nab/corpus';
import { probationaryLength, windowsToRows } from '../nab/scoring';
import { SeriesInput } from './evaluate';

const DAY_MS = 86_400_000;
/** A seasonal period is used only when the series holds at least this many full cycles of it. */
const MIN_CYCLES = 3;

/** Files under a directory (NAB names) or one file, named by its last two path segments. */
export function readSeries(path: string): CorpusFile[] {
  if (statSync(path).isDirectory()) {
    return listCsvFiles(path).map((name) => parseNabCsv(name, readFileSync(join(path, name), 'utf8')));
  }
  const name = `${basename(dirname(path))}/${basename(path)}`;
  return [parseNabCsv(name, readFileSync(path, 'utf8'))];
}

/**
 * Daily and weekly periods in rows from the median timestamp step (robust to gaps and DST repeats),
 * each kept only when the series is long enough to learn it.
 */
export function inferPeriods(timestamps: string[]): number[] {
  const steps = timestamps
    .slice(1)
    .map((ts, i) => timestampMs(ts) - timestampMs(timestamps[i]))
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  if (steps.length === 0) return [];
  const step = steps[Math.floor(steps.length / 2)];
  const daily = Math.round(DAY_MS / step);
  return [daily, 7 * daily].filter((p) => p >= 2 && timestamps.length >= MIN_CYCLES * p);
}

export function toSeriesInput(file: CorpusFile, labels: Labels | undefined, periodOverride?: number[]): SeriesInput {
  const anomalous = new Array<boolean>(file.values.length).fill(false);
  for (const w of windowsToRows(file.timestamps, labels?.[file.name] ?? [])) {
    for (let i = w.start; i <= w.end; i++) anomalous[i] = true;
  }
  return {
    name: file.name,
    values: file.values,
    periods: periodOverride ?? inferPeriods(file.timestamps),
    warmup: probationaryLength(file.values.length),
    anomalous,
  };
}

/** "1,6,12" → [1, 6, 12]; anything but positive integers is refused (command-line lists). */
export function parseIntegers(list: string): number[] {
  const out = list.split(',').map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`expected positive integers, got "${list}"`);
  return out;
}
