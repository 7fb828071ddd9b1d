/**
 * Converts public request-rate traces into the backtest's `timestamp,value` CSV (one row a minute),
 * one fixed slice per output file. How each file was made is recorded in manifest.json; this is the
 * code that made them (docs/backtest.md, "Traces").
 *
 *   node dist/tools/backtest/traces/convert.js seconds <workload.txt> <start ISO> <from minute> <minutes> <out.csv>
 *   node dist/tools/backtest/traces/convert.js minutes <period,count CSV> <from ISO> <minutes> <out.csv>
 */
import { readFileSync, writeFileSync } from 'node:fs';

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** Per-second counts separated by blanks (index 0 = `startMs`) summed per minute over [fromMinute, fromMinute + minutes). */
export function minutesFromSeconds(text: string, startMs: number, fromMinute: number, minutes: number): string[] {
  const counts = text.trim().split(/\s+/).map(Number);
  const rows = ['timestamp,value'];
  for (let m = fromMinute; m < fromMinute + minutes; m++) {
    let sum = 0;
    for (let s = m * 60; s < (m + 1) * 60; s++) {
      if (s >= counts.length) throw new Error(`the trace ends at second ${counts.length}, before minute ${m} does`);
      sum += counts[s];
    }
    rows.push(`${iso(startMs + m * 60_000)},${sum}`);
  }
  return rows;
}

/** A `period,count` per-minute CSV over [fromMs, fromMs + minutes); a minute without a row had no request. */
export function minutesFromCsv(text: string, fromMs: number, minutes: number): string[] {
  const byMinute = new Map<number, number>();
  for (const line of text.split(/\r?\n/).slice(1)) {
    const [period, count] = line.split(',');
    if (!period || count === undefined) continue;
    byMinute.set(Date.parse(`${period.replace(' ', 'T')}Z`), Number(count));
  }
  const rows = ['timestamp,value'];
  for (let m = 0; m < minutes; m++) {
    const at = fromMs + m * 60_000;
    rows.push(`${iso(at)},${byMinute.get(at) ?? 0}`);
  }
  return rows;
}

function main(args: string[]): void {
  const [mode, input, ...rest] = args;
  const text = readFileSync(input, 'utf8');
  let rows: string[];
  let out: string;
  if (mode === 'seconds') {
    const [start, from, minutes, file] = rest;
    rows = minutesFromSeconds(text, Date.parse(start), Number(from), Number(minutes));
    out = file;
  } else if (mode === 'minutes') {
    const [from, minutes, file] = rest;
    rows = minutesFromCsv(text, Date.parse(from), Number(minutes));
    out = file;
  } else {
    throw new Error('usage: convert seconds|minutes ...');
  }
  writeFileSync(out, `${rows.join('\n')}\n`);
}

if (require.main === module) main(process.argv.slice(2));
