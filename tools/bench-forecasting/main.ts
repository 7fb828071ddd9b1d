/**
 * Cost of the SmartScale models per point and per series, on NAB-format data.
 *
 *   npm run bench:forecasting -- --data ../shared/data/nab/data [--horizon 12] [--periods 48,336] [--json]
 *
 * For every CSV (or the one given): a fresh anomaly detector (learn + score), the ensemble and each
 * member alone (learn + forecast(horizon)), each timed over the whole series, and the JSON size of
 * its state at the end. Ratios are against the naive forecaster timed in the same run, so they are
 * comparable across machines where the absolute µs are not. Each subject first runs once over the
 * first series untimed so that the JIT has compiled it before anything is measured.
 */
import { Command } from 'commander';
import { timestampMs } from '../nab/corpus';
import { inferPeriods, parseIntegers, readSeries } from '../forecast-eval/series';
import { benchSeries, SeriesBench, subjectsFor, summarise, SubjectSummary } from './bench';

interface Options {
  data: string;
  horizon: string;
  periods?: string;
  json?: boolean;
}

function formatSummary(summary: SubjectSummary[], series: SeriesBench[]): string {
  const points = series.reduce((sum, s) => sum + s.rows, 0);
  const lines = [
    `${series.length} series, ${points} points`,
    `  ${'subject'.padEnd(18)} µs/point  ×naive  state B (mean)  state B (max)  ×naive`,
  ];
  for (const s of summary) {
    lines.push(
      `  ${s.name.padEnd(18)}${s.microsPerPoint.toFixed(2).padStart(9)}  ${s.timeVsNaive.toFixed(1).padStart(6)}  ` +
        `${Math.round(s.stateBytes).toString().padStart(13)}  ${s.maxStateBytes.toString().padStart(13)}  ${s.stateVsNaive.toFixed(1).padStart(6)}`,
    );
  }
  return lines.join('\n');
}

function main(argv: string[]): void {
  const options = new Command('bench-forecasting')
    .requiredOption('--data <path>', 'a NAB-format CSV or a directory of them')
    .option('--horizon <n>', 'forecast steps per point', '12')
    .option('--periods <list>', 'seasonal periods in steps (default: inferred daily/weekly)')
    .option('--json', 'machine-readable output')
    .parse(argv)
    .opts<Options>();
  const horizon = Number(options.horizon);
  if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`--horizon must be a positive integer, got "${options.horizon}"`);
  const periodOverride = options.periods === undefined ? undefined : parseIntegers(options.periods);
  const files = readSeries(options.data).map((f) => ({
    name: f.name,
    values: f.values,
    timestamps: f.timestamps.map(timestampMs),
    periods: periodOverride ?? inferPeriods(f.timestamps),
  }));
  if (files.length === 0) throw new Error(`no CSV files under ${options.data}`);
  const first = files[0];
  benchSeries(first.name, first.values, first.timestamps, subjectsFor(first.periods, horizon), first.periods);
  const series = files.map((f) => benchSeries(f.name, f.values, f.timestamps, subjectsFor(f.periods, horizon), f.periods));
  const summary = summarise(series);
  if (options.json) process.stdout.write(`${JSON.stringify({ horizon, summary, series }, null, 2)}\n`);
  else process.stdout.write(`${formatSummary(summary, series)}\n`);
}

main(process.argv);
