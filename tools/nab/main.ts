/**
 * NAB evaluation of the SmartScale anomaly detector.
 *
 *   npx swc libs tools -d dist --copy-files -q
 *   node dist/tools/nab/main.js --data ../shared/data/nab/data \
 *     --labels ../shared/data/nab/labels/combined_windows.json [--profiles profiles.json] [--json]
 *
 * Every CSV under --data (named by its path relative to it, as combined_windows.json names files)
 * goes through a fresh detector, one row at a time in file order, and is scored with NAB's rules
 * (scoring.ts): probation, scaled sigmoid, one swept threshold per profile, normalisation.
 * --json prints normalised scores per profile (`standard`, `reward_low_FP_rate`,
 * `reward_low_FN_rate`), thresholds, raw scores and per-file raw scores; otherwise a table beside
 * the published detectors (published-detectors.json, from the dev subset's README).
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultGrid } from './candidates';
import { readCorpus, readLabels, readProfiles } from './corpus';
import { crossValidate, scoreCandidates } from './cross-validate';
import { evaluateCorpus } from './evaluate';
import { formatReport, PublishedDetector } from './report';

interface Options {
  data: string;
  labels: string;
  profiles?: string;
  json?: boolean;
  cv?: string;
}

function main(argv: string[]): void {
  const options = new Command('nab')
    .requiredOption('--data <dir>', 'directory of NAB-format CSV files')
    .requiredOption('--labels <file>', 'combined_windows.json')
    .option('--profiles <file>', 'NAB profiles.json (default: the standard three)')
    .option('--json', 'machine-readable output')
    .option('--cv <k>', 'k-fold cross-validation across files: tune the detector grid on k-1 folds, score the held-out fold')
    .parse(argv)
    .opts<Options>();
  const corpus = readCorpus(options.data);
  if (corpus.length === 0) throw new Error(`no CSV files under ${options.data}`);
  if (options.cv !== undefined) {
    const profiles = readProfiles(options.profiles);
    const scored = scoreCandidates(corpus, readLabels(options.labels), defaultGrid());
    const reports = Object.entries(profiles).map(([name, profile]) => crossValidate(scored, name, profile, Number(options.cv)));
    if (options.json) {
      process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
      return;
    }
    for (const r of reports) {
      process.stdout.write(
        `${r.profile}: mean held-out fold ${r.meanHeldOut.toFixed(1)}; tuned on all files ${r.allFiles.score.toFixed(1)} (${r.allFiles.chosen})\n`,
      );
      for (const f of r.folds) {
        process.stdout.write(
          `  fold ${f.fold}: held out ${f.heldOut.length} files, chose ${f.chosen} (train ${f.trainScore.toFixed(1)}), held-out ${f.heldOutScore.toFixed(1)}\n`,
        );
      }
    }
    return;
  }
  const report = evaluateCorpus(corpus, readLabels(options.labels), readProfiles(options.profiles));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...report.scores, ...report }, null, 2)}\n`);
    return;
  }
  const published = JSON.parse(readFileSync(join(__dirname, 'published-detectors.json'), 'utf8')) as {
    detectors: PublishedDetector[];
  };
  process.stdout.write(`${formatReport(report, published.detectors)}\n`);
}

main(process.argv);
