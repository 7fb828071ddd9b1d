/**
 * Rolling-origin forecast evaluation of every SmartScale forecaster and their ensemble.
 *
 *   npx swc libs tools -d dist --copy-files -q
 *   node dist/tools/forecast-eval/main.js --data ../shared/data/nab/data/realKnownCause/nyc_taxi.csv \
 *     --horizons 1,6,12 [--labels ../shared/data/nab/labels/combined_windows.json] [--periods 48,336] [--json]
 *
 * For each series: warm-up = NAB's probationary period, then every forecast from every origin is
 * scored against the value that arrives h steps later. Reports MAE, MASE (one-step naive scale),
 * MAE relative to naive and to seasonal naive at the same horizon, interval coverage and width, with
 * and without targets inside labelled anomaly windows (when --labels is given), plus µs per point
 * and state size. Periods are inferred from the timestamps (daily, and weekly when ≥ 3 weeks).
 */
import { Command } from 'commander';
import { readLabels } from '../nab/corpus';
import { evaluateSeries, SeriesReport } from './evaluate';
import { parseIntegers, readSeries, toSeriesInput } from './series';

interface Options {
  data: string;
  horizons: string;
  labels?: string;
  periods?: string;
  json?: boolean;
}

function formatSeries(r: SeriesReport): string {
  const head = `${r.name}: ${r.rows} rows, periods [${r.periods.join(', ')}], warm-up ${r.warmup}, ` +
    `${r.microsPerPoint.toFixed(1)} µs/point, state ${(r.stateBytes / 1024).toFixed(1)} KiB`;
  const lines = [head, `  ${'model'.padEnd(16)} h    MAE        MASE   vs naive  vs snaive  coverage`];
  for (const m of r.models) {
    for (const x of m.all) {
      lines.push(`  ${m.model.padEnd(16)}${String(x.h).padStart(2)}  ${x.mae.toPrecision(5).padStart(10)}  ` +
        `${x.mase.toFixed(3).padStart(6)}  ${x.relativeToNaive.toFixed(3).padStart(8)}  ` +
        `${x.relativeToSeasonalNaive.toFixed(3).padStart(9)}  ${x.coverage.toFixed(3).padStart(8)}`);
    }
  }
  return lines.join('\n');
}

function main(argv: string[]): void {
  const options = new Command('forecast-eval')
    .requiredOption('--data <path>', 'a NAB-format CSV or a directory of them')
    .option('--horizons <list>', 'comma-separated horizons in steps', '1,6,12')
    .option('--labels <file>', 'combined_windows.json, to also score without anomaly windows')
    .option('--periods <list>', 'seasonal periods in steps (default: inferred daily/weekly)')
    .option('--json', 'machine-readable output')
    .parse(argv)
    .opts<Options>();
  const horizons = parseIntegers(options.horizons);
  const labels = options.labels === undefined ? undefined : readLabels(options.labels);
  const periods = options.periods === undefined ? undefined : parseIntegers(options.periods);
  const reports = readSeries(options.data).map((f) => evaluateSeries(toSeriesInput(f, labels, periods), horizons));
  if (options.json) process.stdout.write(`${JSON.stringify({ horizons, series: reports }, null, 2)}\n`);
  else process.stdout.write(`${reports.map(formatSeries).join('\n\n')}\n`);
}

main(process.argv);
