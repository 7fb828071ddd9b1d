/**
 * Backtester: replays traces through SmartScale's own code paths (the predictor's ModelsService and
 * the workflow's decide()) and re-implementations of HPA (rate and CPU), KEDA (Kafka) and Knative
 * KPA, plus static-at-peak, an oracle and a reactive reference, each with its real data age, on one
 * capacity model; optionally sweeps each policy's cost knob for equal-cost frontiers.
 *
 *   npm run backtest -- --set dev --frontier --out out/backtest
 */
import { Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { parsePolicy } from '@smartscale/contracts';
import type { ScalingPolicy } from '@smartscale/contracts/workflow';
import { DEFAULT_SIM_CONFIG, SimConfig } from './config';
import { PolicyMetrics } from './metrics';
import { writeFrontierPlot, writePlots, writeSummary } from './plot';
import { renderHtml } from './report-html';
import { PolicyName, prepareTrace, runPrepared, SWEPT_POLICIES, SweptPolicy } from './run';
import { ProductSettings, productSettings, smartScalePolicyFor } from './smartscale';
import { smartScaleSweepPoints, SweepSpec, sweepTrace, TraceFrontier } from './sweep';
import { frontierTable, markdownSummary, table } from './tables';
import { readTrace } from './trace';

interface Options {
  trace: string[];
  set: string[];
  manifest: string;
  json?: boolean;
  markdown?: boolean;
  out?: string;
  plots: boolean;
  peakReplicas: string;
  rowSeconds: string;
  rebalanceSeconds: string;
  policy?: string;
  frontier?: boolean;
  utilisations: string;
  smartscaleSweep?: string;
  predictorPeriods: 'product' | 'trace';
  swept?: string;
}

function integer(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= min)) throw new Error(`--${name} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

function json(name: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new Error(`--${name} must be JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The JSON object of `--policy`; its fields are checked against the policy schema once merged. */
function policyOverrides(raw: string, name = 'policy'): Partial<ScalingPolicy> {
  const parsed = json(name, raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`--${name} must be a JSON object of policy fields`);
  return parsed as Partial<ScalingPolicy>;
}

function checkedPolicy(policy: ScalingPolicy, name = 'policy'): ScalingPolicy {
  try {
    return parsePolicy(policy);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    throw new Error(`--${name}: ${error.issues.map((i) => `${i.path.join('.') || 'policy'}: ${i.message}`).join('; ')}`);
  }
}

function utilisations(raw: string): number[] {
  const values = raw.split(',').map(Number);
  if (values.length === 0 || values.some((v) => !(v > 0 && v <= 1)))
    throw new Error(`--utilisations must be numbers in (0, 1], got ${raw}`);
  return values;
}

/**
 * SmartScale's sweep (over the --policy overrides): by default its own cost knob, the service level
 * (0.5…0.99); `--smartscale-sweep capacity` its capacity per replica at each utilisation; or a JSON
 * array of policy fields, each merged over the overrides (headroom, stabilisation, ...).
 */
function smartScaleSweep(options: Options, config: SimConfig, overrides: Partial<ScalingPolicy>, us: number[]): SweepSpec['smartscale'] {
  const points = smartScaleSweepPoints(options.smartscaleSweep);
  if (points === null) return us.map((u) => ({ knob: `u=${u}`, policy: checkedPolicy(smartScalePolicyFor(config, overrides, u)) }));
  return points.map(({ knob, fields }) => ({
    knob,
    policy: checkedPolicy(smartScalePolicyFor(config, { ...overrides, ...fields }), 'smartscale-sweep'),
  }));
}

function sweptPolicies(raw: string): SweptPolicy[] {
  const names = raw.split(',');
  const bad = names.filter((n) => !(SWEPT_POLICIES as readonly string[]).includes(n));
  if (bad.length > 0) throw new Error(`--swept: unknown ${bad.join(', ')} (known: ${SWEPT_POLICIES.join(', ')})`);
  return names as SweptPolicy[];
}

interface Manifest {
  sets: Record<string, string[]>;
}

function traceFiles(options: Options): string[] {
  const files = [...options.trace];
  if (options.set.length > 0) {
    const manifest = json('manifest', readFileSync(options.manifest, 'utf8')) as Manifest;
    for (const set of options.set) {
      const listed = manifest.sets[set];
      if (!listed) throw new Error(`--set ${set}: not in ${options.manifest} (sets: ${Object.keys(manifest.sets).join(', ')})`);
      files.push(...listed);
    }
  }
  if (files.length === 0) throw new Error('give at least one --trace or --set');
  return files;
}

async function main(argv: string[]): Promise<void> {
  const options = new Command('backtest')
    .option('--trace <csv>', 'timestamp,value CSV (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option(
      '--set <name>',
      'a trace set of the manifest: dev, tuning, reporting (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--manifest <json>', 'the trace manifest', 'tools/backtest/traces/manifest.json')
    .option('--json', 'print the JSON report to stdout')
    .option('--markdown', 'print the summary tables (ratios to HPA, equal-cost figures) as Markdown')
    .option('--out <dir>', 'write report.json, report.html and plots here')
    .option('--no-plots', 'skip the PNG plots')
    .option('--peak-replicas <n>', 'replicas the trace peak needs at 100 %', String(DEFAULT_SIM_CONFIG.peakReplicas))
    .option('--row-seconds <n>', 'simulated seconds per trace row', String(DEFAULT_SIM_CONFIG.rowSeconds))
    .option(
      '--rebalance-seconds <n>',
      'consumer-group pause per member change (0: not a Kafka consumer)',
      String(DEFAULT_SIM_CONFIG.rebalanceSeconds),
    )
    .option(
      '--policy <json>',
      "SmartScale policy fields over the product's defaults, e.g. '{\"scaleDownTolerance\":0.1}' (a tuned setting: reported as such)",
    )
    .option('--frontier', "sweep every policy's cost knob and report the equal-cost frontiers")
    .option('--utilisations <list>', 'target utilisations swept for every policy', '0.5,0.6,0.7,0.8,0.9')
    .option(
      '--smartscale-sweep <knob>',
      'SmartScale\'s sweep: serviceLevel (default, 0.5…0.99), capacity (per replica, at each utilisation) or a JSON array of policy fields, e.g. \'[{"headroom":0},{"headroom":0.2}]\'',
    )
    .option('--swept <list>', `policies whose knob is swept (default all: ${SWEPT_POLICIES.join(',')})`)
    .option(
      '--predictor-periods <from>',
      "the predictor's seasonal periods: 'product' (its defaults) or 'trace' (each trace's day and week, a tuned setting)",
      'product',
    )
    .parse(argv)
    .opts<Options>();
  const config: SimConfig = {
    ...DEFAULT_SIM_CONFIG,
    peakReplicas: integer('peak-replicas', options.peakReplicas, 1),
    rowSeconds: integer('row-seconds', options.rowSeconds, 1),
    rebalanceSeconds: integer('rebalance-seconds', options.rebalanceSeconds, 0),
  };
  if (options.predictorPeriods !== 'product' && options.predictorPeriods !== 'trace')
    throw new Error(`--predictor-periods must be product or trace, got ${options.predictorPeriods}`);
  const settings: ProductSettings = { ...productSettings(), periodsFrom: options.predictorPeriods };
  if (config.rowSeconds % settings.windowSeconds !== 0)
    throw new Error(`--row-seconds must be a multiple of the product's ${settings.windowSeconds} s window`);
  const overrides = options.policy ? policyOverrides(options.policy) : {};
  const policy = checkedPolicy(smartScalePolicyFor(config, overrides));
  const us = utilisations(options.utilisations);
  const sweep: SweepSpec | null = options.frontier
    ? {
        utilisations: us,
        smartscale: smartScaleSweep(options, config, overrides, us),
        ...(options.swept ? { only: sweptPolicies(options.swept) } : {}),
      }
    : null;
  const tuned = [
    ...Object.keys(overrides).map((k) => `policy.${k}`),
    ...(settings.periodsFrom === 'trace' ? ['predictor periods from the trace'] : []),
    ...(options.smartscaleSweep && !['serviceLevel', 'capacity'].includes(options.smartscaleSweep) ? ['smartscale sweep'] : []),
  ];
  const report: {
    generatedAt: string;
    config: SimConfig;
    smartscale: {
      windowSeconds: number;
      graceSeconds: number;
      tickPhaseSeconds: number;
      periods: string;
      policy: ScalingPolicy;
      tuned: string[];
    };
    policyOverrides: Partial<ScalingPolicy>;
    traces: Record<string, Record<PolicyName, PolicyMetrics>>;
    frontiers?: Record<string, TraceFrontier>;
  } = {
    generatedAt: new Date().toISOString(),
    config,
    smartscale: {
      windowSeconds: settings.windowSeconds,
      graceSeconds: settings.graceSeconds,
      tickPhaseSeconds: settings.tickPhaseSeconds,
      periods: settings.periodsFrom === 'product' ? settings.predictor.periods.join(',') : 'trace',
      policy,
      tuned,
    },
    policyOverrides: overrides,
    traces: {},
    ...(sweep ? { frontiers: {} } : {}),
  };
  const plots: Record<string, string[]> = {};
  if (options.out) mkdirSync(options.out, { recursive: true });
  for (const path of traceFiles(options)) {
    const started = Date.now();
    const trace = readTrace(path, config);
    const prepared = prepareTrace(trace, config, settings, policy.forecastHorizonWindows);
    const result = runPrepared(prepared, policy);
    report.traces[trace.name] = result.metrics;
    if (options.out && options.plots) plots[trace.name] = await writePlots(options.out, trace, result, config);
    if (!options.json && !options.markdown) process.stdout.write(`${table(trace.name, result.metrics)}\n\n`);
    if (sweep && report.frontiers) {
      const frontier = sweepTrace(prepared, sweep, result.metrics);
      report.frontiers[trace.name] = frontier;
      if (options.out && options.plots)
        (plots[trace.name] ??= []).push(await writeFrontierPlot(options.out, trace.name, frontier, result.metrics));
      if (!options.json && !options.markdown) process.stdout.write(`${frontierTable(trace.name, frontier)}\n\n`);
    }
    process.stderr.write(`${trace.name}: ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  const text = JSON.stringify(report, null, 2);
  if (options.out) {
    writeFileSync(join(options.out, 'report.json'), `${text}\n`);
    const summaryPlots = options.plots ? await writeSummary(options.out, report.traces) : [];
    writeFileSync(
      join(options.out, 'report.html'),
      renderHtml({ config, metrics: report.traces, frontiers: report.frontiers ?? {}, plots, summaryPlots }),
    );
  }
  if (options.json) process.stdout.write(`${text}\n`);
  if (options.markdown) process.stdout.write(`${markdownSummary(report.traces, report.frontiers)}\n`);
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
