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
 * Beside them, "auto-seasonal" is the predictor's own model, given no periods: it finds them (the
 * periods it ended with and the row it first had one are printed). Columns q.9 / q.95 / q.99: the
 * share of outcomes at or below the quantile decide() plans for at that service level.
 * --augurs also compares @bsull/augurs (MSTL with AutoETS, and its seasonality detection) at sampled
 * origins (docs/forecasting.md).
 */
import { Command } from 'commander';
import { readLabels } from '../nab/corpus';
import { AugursReport, compareWithAugurs, loadAugurs } from './augurs';
import { evaluateSeries, SeriesReport } from './evaluate';
import { parseIntegers, readSeries, toSeriesInput } from './series';
import { writeSynthetic } from './synthetic';

interface Options {
  data: string;
  horizons: string;
  labels?: string;
  periods?: string;
  json?: boolean;
  augurs?: boolean;
  writeSynthetic?: string;
}

function formatSeries(r: SeriesReport): string {
  const head =
    `${r.name}: ${r.rows} rows, periods [${r.periods.join(', ')}], warm-up ${r.warmup}, ` +
    `${r.microsPerPoint.toFixed(1)} µs/point, state ${(r.stateBytes / 1024).toFixed(1)} KiB; ` +
    `auto-seasonal found [${r.auto.periods.join(', ')}] (first at row ${r.auto.firstFoundAt ?? '–'}), ` +
    `${r.auto.microsPerPoint.toFixed(1)} µs/point, state ${(r.auto.stateBytes / 1024).toFixed(1)} KiB`;
  const lines = [head, `  ${'model'.padEnd(16)} h    MAE        MASE   vs naive  vs snaive  coverage   q.9   q.95  q.99`];
  for (const m of r.models) {
    for (const x of m.all) {
      lines.push(
        `  ${m.model.padEnd(16)}${String(x.h).padStart(2)}  ${x.mae.toPrecision(5).padStart(10)}  ` +
          `${x.mase.toFixed(3).padStart(6)}  ${x.relativeToNaive.toFixed(3).padStart(8)}  ` +
          `${x.relativeToSeasonalNaive.toFixed(3).padStart(9)}  ${x.coverage.toFixed(3).padStart(8)}  ${x.serviceLevels.map((v) => v.toFixed(3)).join(' ')}`,
      );
    }
  }
  return lines.join('\n');
}

function formatAugurs(a: AugursReport): string {
  const lines = [
    `${a.name}: augurs MSTL(AutoETS) refit on the last ${a.fitWindow} rows at ${a.origins} origins: ${a.augursMsPerFit.toFixed(1)} ms per fit; ` +
      `our ensemble ${a.oursMicrosPerPoint.toFixed(1)} µs per point`,
    `  seasonality on two cycles + 60 rows: augurs [${a.augursSeasonsTwoCycles.join(', ')}], ours [${a.oursSeasonsTwoCycles.join(', ')}]; ` +
      `whole series: augurs [${a.augursSeasonsWhole.join(', ')}], ours [${a.oursSeasonsWhole.join(', ')}]`,
    `   h   augurs MAE  coverage   ours MAE  coverage`,
  ];
  for (const x of a.horizons) {
    lines.push(
      `  ${String(x.h).padStart(2)}  ${x.augursMae.toPrecision(5).padStart(11)}  ${x.augursCoverage.toFixed(3).padStart(8)}  ${x.oursMae.toPrecision(5).padStart(9)}  ${x.oursCoverage.toFixed(3).padStart(8)}`,
    );
  }
  return lines.join('\n');
}

/** Mean 80 % interval coverage per model and horizon over all series: the calibration headline. */
function formatCoverage(reports: SeriesReport[], horizons: number[]): string {
  const lines = ['mean over all series: 80 % interval coverage (target 0.75-0.85) | share at or below q0.9 / q0.99'];
  for (const model of ['ensemble', 'auto-seasonal']) {
    const cells = horizons.map((h) => {
      const xs = reports.map((r) => r.models.find((m) => m.model === model)?.all.find((x) => x.h === h)).filter((x) => x !== undefined);
      const mean = (f: (x: (typeof xs)[number]) => number): string =>
        (xs.reduce((sum, x) => sum + f(x), 0) / Math.max(1, xs.length)).toFixed(3);
      return `h${h} ${mean((x) => x.coverage)} | ${mean((x) => x.serviceLevels[0])} / ${mean((x) => x.serviceLevels[2])}`;
    });
    lines.push(`  ${model.padEnd(14)} ${cells.join('   ')}`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const options = new Command('forecast-eval')
    .option('--data <path>', 'a NAB-format CSV or a directory of them')
    .option('--write-synthetic <dir>', 'write the synthetic 10 s series with 7-min and 1-h cycles there and exit')
    .option('--horizons <list>', 'comma-separated horizons in steps', '1,6,12')
    .option('--labels <file>', 'combined_windows.json, to also score without anomaly windows')
    .option('--periods <list>', 'seasonal periods in steps (default: inferred daily/weekly)')
    .option('--json', 'machine-readable output')
    .option('--augurs', 'also compare @bsull/augurs MSTL and seasonality detection (sampled origins)')
    .parse(argv)
    .opts<Options>();
  if (options.writeSynthetic !== undefined) {
    process.stdout.write(`${writeSynthetic(options.writeSynthetic).join('\n')}\n`);
    return;
  }
  if (options.data === undefined) throw new Error('--data <path> is required');
  const horizons = parseIntegers(options.horizons);
  const labels = options.labels === undefined ? undefined : readLabels(options.labels);
  const periods = options.periods === undefined ? undefined : parseIntegers(options.periods);
  const inputs = readSeries(options.data).map((f) => toSeriesInput(f, labels, periods));
  const reports = inputs.map((input) => evaluateSeries(input, horizons));
  const augurs = options.augurs ? await loadAugurs() : null;
  const compared = augurs ? inputs.map((input) => compareWithAugurs(augurs, input, horizons)) : [];
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ horizons, series: reports, ...(augurs ? { augurs: { initMs: augurs.initMs, series: compared } } : {}) }, null, 2)}\n`,
    );
    return;
  }
  process.stdout.write(`${reports.map(formatSeries).join('\n\n')}\n\n${formatCoverage(reports, horizons)}\n`);
  if (augurs)
    process.stdout.write(`\n@bsull/augurs: WASM loaded in ${augurs.initMs.toFixed(1)} ms\n${compared.map(formatAugurs).join('\n\n')}\n`);
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`forecast-eval: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
