/**
 * Cross-validating SmartScale's default policy over the tuning traces (cross-validate.ts).
 *
 *   # 1. replay every candidate on some tuning traces (split runs: one or two traces each)
 *   node dist/tools/backtest/cross-validate-main.js evaluate --set tuning --grid '{"serviceLevel":[0.7,0.9]}' --out /tmp/cv
 *   # 2. leave one trace out over every trace evaluated into that directory
 *   node dist/tools/backtest/cross-validate-main.js report --from /tmp/cv --markdown
 *
 * `evaluate` writes one JSON per trace (HPA's default and SmartScale under each candidate), so the
 * runs can be split; `report` refuses traces of the reporting half and any trace that lacks a candidate.
 */
import { Command } from 'commander';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from '@smartscale/contracts';
import { DEFAULT_POLICY } from '@smartscale/contracts/workflow';
import { DEFAULT_SIM_CONFIG } from './config';
import {
  Candidate,
  CrossValidation,
  gridCandidates,
  guarded,
  heldOutBeatsShipped,
  leaveOneTraceOut,
  Outcome,
  ratios,
  Score,
  targetsMet,
  TraceEvaluation,
} from './cross-validate';
import { measure, PolicyMetrics } from './metrics';
import { prepareTrace, runPolicy, runPrepared } from './run';
import { productSettings, smartScalePolicyFor } from './smartscale';
import { readTrace } from './trace';

const MANIFEST = 'tools/backtest/traces/manifest.json';
const SHIPPED = 'shipped default';

interface Manifest {
  sets: Record<string, string[]>;
}

const outcome = (m: PolicyMetrics): Outcome => ({
  under_provisioned_minutes: m.under_provisioned_minutes,
  replica_hours: m.replica_hours,
  scaling_actions: m.scaling_actions,
});

/** The shipped default's own values of the grid's fields: it is always a candidate, listed first (ties keep it). */
function withShippedDefault(candidates: Candidate[]): Candidate[] {
  const keys = [...new Set(candidates.flatMap((c) => Object.keys(c.fields)))] as (keyof typeof DEFAULT_POLICY)[];
  const shipped = Object.fromEntries(keys.map((k) => [k, DEFAULT_POLICY[k]]));
  const same = (c: Candidate): boolean => keys.every((k) => (c.fields as Record<string, unknown>)[k] === shipped[k]);
  const rest = candidates.filter((c) => !same(c));
  return [{ name: SHIPPED, fields: shipped }, ...rest];
}

interface EvaluateOptions {
  trace: string[];
  set: string[];
  grid: string;
  out: string;
}

function evaluate(options: EvaluateOptions): void {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const files = [...options.trace];
  for (const set of options.set) {
    if (set === 'reporting')
      throw new Error('the reporting half is never tuned on: use npm run backtest -- --set reporting once, with the chosen default');
    const listed = manifest.sets[set];
    if (!listed) throw new Error(`--set ${set}: not in ${MANIFEST}`);
    files.push(...listed);
  }
  const reporting = new Set(manifest.sets.reporting ?? []);
  const refused = files.filter((f) => reporting.has(f));
  if (refused.length > 0) throw new Error(`${refused.join(', ')}: reporting half, never tuned on`);
  if (files.length === 0) throw new Error('give at least one --trace or --set');
  const candidates = withShippedDefault(gridCandidates(JSON.parse(options.grid) as Record<string, unknown[]>));
  const config = DEFAULT_SIM_CONFIG;
  const settings = productSettings();
  mkdirSync(options.out, { recursive: true });
  for (const path of files) {
    const started = Date.now();
    const trace = readTrace(path, config);
    const defaultPolicy = smartScalePolicyFor(config);
    const prepared = prepareTrace(trace, config, settings, defaultPolicy.forecastHorizonWindows);
    const defaults = runPrepared(prepared, defaultPolicy).metrics;
    const result: TraceEvaluation & {
      trace: string;
      file: string;
      defaults: Record<string, Outcome>;
      fields: Record<string, Partial<typeof DEFAULT_POLICY>>;
    } = {
      trace: trace.name,
      file: path,
      hpa: outcome(defaults.hpa),
      defaults: Object.fromEntries(Object.entries(defaults).map(([k, m]) => [k, outcome(m)])),
      candidates: {},
      fields: {},
    };
    for (const c of candidates) {
      const policy = parsePolicy(smartScalePolicyFor(config, c.fields));
      if (policy.forecastHorizonWindows !== defaultPolicy.forecastHorizonWindows)
        throw new Error(`${c.name}: the horizon is not a candidate field (the forecast track is shared)`);
      result.candidates[c.name] = outcome(measure(runPolicy(prepared, 'smartscale', { policy }), trace.rows, config));
      result.fields[c.name] = c.fields;
    }
    writeFileSync(join(options.out, `${trace.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    process.stderr.write(`${trace.name}: ${candidates.length} candidates, ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
}

const f3 = (n: number | null): string => (n === null ? '–' : (Math.round(n * 1000) / 1000).toString());
const bold = (n: number | null, max: number): string => (n !== null && n <= max ? `**${f3(n)}**` : f3(n));
/** A candidate's name for tables: a set of fields moved together shows its values only (hold=120000/120000). */
const short = (name: string): string =>
  name.replace(/\{[^}]*\}/g, (m) => Object.values(JSON.parse(m) as Record<string, unknown>).join('/'));
const scoreText = (s: Score): string =>
  `${s.allThree} traces 3/3, ${s.targets} targets, rh ${f3(s.replicaHoursRatio)}×, worst under-prov. ${f3(s.worstUnderRatio)}×${guarded(s) ? '' : ' (fails the guard)'}`;

function markdown(cv: CrossValidation, evaluations: Record<string, TraceEvaluation>, fields: Record<string, unknown>): string {
  const lines = [
    'Leave one tuning trace out: chosen on the others, scored on the held-out trace.',
    '',
    '| held-out trace | chosen on the others | score there | under-prov. ÷ HPA | replica-h ÷ HPA | actions ÷ HPA | targets met |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const f of cv.folds) {
    const r = f.heldOutRatios;
    lines.push(
      `| ${f.heldOut} | ${short(f.chosen)} | ${scoreText(f.trainScore)} | ${bold(r.under_provisioned_minutes, 0.5)} | ${bold(r.replica_hours, 1)} | ${bold(r.scaling_actions, 0.5)} | ${f.heldOutTargets}/3 |`,
    );
  }
  lines.push(
    '',
    `Held out: ${cv.heldOut.allThree} of ${cv.heldOut.traces} traces meet all three targets; ${cv.heldOut.targets} of ${3 * cv.heldOut.traces} targets met.`,
  );
  lines.push(
    `All tuning traces: chosen **${short(cv.allTuning.chosen)}** (${JSON.stringify(fields[cv.allTuning.chosen])}): ${scoreText(cv.allTuning.score)}.`,
  );
  const shipped = cv.candidates[SHIPPED];
  if (shipped && cv.allTuning.chosen !== SHIPPED) {
    const better = heldOutBeatsShipped(cv.heldOut, shipped);
    lines.push(
      `Shipped default on the same traces: ${shipped.allThree} traces 3/3, ${shipped.targets} targets. ` +
        (better
          ? 'The held-out score beats it: replace the default.'
          : 'The held-out score does not beat it: keep the shipped default (no evidence the change helps on unseen traces).'),
    );
  }
  lines.push('');
  lines.push('| candidate | on all tuning traces |', '|---|---|');
  for (const [name, s] of Object.entries(cv.candidates)) lines.push(`| ${short(name)} | ${scoreText(s)} |`);
  const chosen = cv.allTuning.chosen;
  lines.push(
    '',
    `The chosen candidate on each tuning trace (fitted: it was chosen on these traces):`,
    '',
    '| trace | under-prov. ÷ HPA | replica-h ÷ HPA | actions ÷ HPA | targets met | SmartScale / HPA under-prov. min |',
    '|---|---|---|---|---|---|',
  );
  for (const [t, e] of Object.entries(evaluations).sort(([a], [b]) => a.localeCompare(b))) {
    const ss = e.candidates[chosen];
    const r = ratios(ss, e.hpa);
    lines.push(
      `| ${t} | ${bold(r.under_provisioned_minutes, 0.5)} | ${bold(r.replica_hours, 1)} | ${bold(r.scaling_actions, 0.5)} | ${targetsMet(ss, e.hpa)}/3 | ${f3(ss.under_provisioned_minutes)} / ${f3(e.hpa.under_provisioned_minutes)} |`,
    );
  }
  return lines.join('\n');
}

function report(options: { from: string; markdown?: boolean }): void {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const reporting = new Set((manifest.sets.reporting ?? []).map((f) => f.split('/').pop()));
  const evaluations: Record<string, TraceEvaluation> = {};
  let fields: Record<string, unknown> = {};
  let names: string[] | null = null;
  for (const file of readdirSync(options.from)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const e = JSON.parse(readFileSync(join(options.from, file), 'utf8')) as TraceEvaluation & {
      trace: string;
      fields: Record<string, unknown>;
    };
    if (reporting.has(e.trace)) throw new Error(`${e.trace}: reporting half, never tuned on`);
    const these = Object.keys(e.candidates);
    if (names !== null && these.join('\n') !== names.join('\n'))
      throw new Error(`${e.trace}: evaluated with other candidates than the first trace`);
    names = these;
    fields = e.fields;
    evaluations[e.trace] = e;
  }
  if (names === null) throw new Error(`no evaluations in ${options.from}`);
  const cv = leaveOneTraceOut(evaluations, names);
  process.stdout.write(options.markdown ? `${markdown(cv, evaluations, fields)}\n` : `${JSON.stringify({ ...cv, fields }, null, 2)}\n`);
}

function main(argv: string[]): void {
  const program = new Command('cross-validate');
  program
    .command('evaluate')
    .description('replay HPA and every candidate SmartScale policy on tuning traces; one JSON per trace into --out')
    .option('--trace <csv>', 'a tuning trace (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--set <name>', 'dev or tuning (reporting is refused)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .requiredOption(
      '--grid <json>',
      'policy fields and their values, e.g. \'{"serviceLevel":[0.7,0.9],"hold":[{"scaleDownStabilizationMs":120000}]}\'',
    )
    .requiredOption('--out <dir>', 'directory of per-trace evaluations')
    .action((o: EvaluateOptions) => evaluate(o));
  program
    .command('report')
    .description('leave one trace out over every evaluation in --from, then the choice on all of them')
    .requiredOption('--from <dir>', 'directory written by evaluate')
    .option('--markdown', 'Markdown tables instead of JSON')
    .action((o: { from: string; markdown?: boolean }) => report(o));
  program.parse(argv);
}

try {
  main(process.argv);
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
