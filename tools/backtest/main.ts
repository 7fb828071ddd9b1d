/**
 * Backtester: replays NAB traces through SmartScale's decide() and re-implementations of HPA,
 * KEDA (Kafka) and Knative KPA, plus static-at-peak and an oracle, on one capacity model.
 *
 *   npm run backtest -- --trace ../shared/data/nab/data/realKnownCause/nyc_taxi.csv --json --out out/backtest
 */
import { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { parsePolicy } from '@smartscale/contracts';
import type { ScalingPolicy } from '@smartscale/contracts/workflow';
import { DEFAULT_SIM_CONFIG, SimConfig } from './config';
import { PolicyMetrics } from './metrics';
import { writePlots, writeSummary } from './plot';
import { renderHtml } from './report-html';
import { PolicyName, runTrace } from './run';
import { smartScalePolicyFor } from './smartscale';
import { readTrace } from './trace';

interface Options {
  trace: string[];
  json?: boolean;
  out?: string;
  plots: boolean;
  peakReplicas: string;
  rowSeconds: string;
  policy?: string;
}

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

/** The JSON object of `--policy`; its fields are checked against the policy schema once merged. */
function policyOverrides(raw: string): Partial<ScalingPolicy> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`--policy must be a JSON object: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('--policy must be a JSON object of policy fields');
  return parsed as Partial<ScalingPolicy>;
}

function checkedPolicy(policy: ScalingPolicy): ScalingPolicy {
  try {
    return parsePolicy(policy);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    throw new Error(`--policy: ${error.issues.map((i) => `${i.path.join('.') || 'policy'}: ${i.message}`).join('; ')}`);
  }
}

function table(name: string, metrics: Record<PolicyName, PolicyMetrics>): string {
  const lines = [`${name}`, 'policy      under_min  replica_h  actions  backlog_peak  ttscale_s  under/HPA  rh/HPA  act/HPA'];
  for (const [policy, m] of Object.entries(metrics)) {
    const r = m.vs_hpa;
    const cols = [m.under_provisioned_minutes, m.replica_hours, m.scaling_actions, m.backlog_peak_events, m.time_to_scale_seconds ?? '-', r?.under_provisioned_minutes ?? '-', r?.replica_hours ?? '-', r?.scaling_actions ?? '-'];
    lines.push(`${policy.padEnd(10)} ${cols.map((c) => String(c).padStart(10)).join(' ')}`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const options = new Command('backtest')
    .requiredOption('--trace <csv>', 'NAB timestamp,value CSV (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'print the JSON report to stdout')
    .option('--out <dir>', 'write report.json and plots here')
    .option('--no-plots', 'skip the PNG plots')
    .option('--peak-replicas <n>', 'replicas the trace peak needs at 100 %', String(DEFAULT_SIM_CONFIG.peakReplicas))
    .option('--row-seconds <n>', 'simulated seconds per trace row', String(DEFAULT_SIM_CONFIG.rowSeconds))
    .option('--policy <json>', "SmartScale policy fields over the product's defaults, e.g. '{\"scaleDownTolerance\":0.1}' (an ablation)")
    .parse(argv)
    .opts<Options>();
  const config: SimConfig = { ...DEFAULT_SIM_CONFIG, peakReplicas: positive('peak-replicas', options.peakReplicas), rowSeconds: positive('row-seconds', options.rowSeconds) };
  const overrides = options.policy ? policyOverrides(options.policy) : {};
  const policy = checkedPolicy(smartScalePolicyFor(config, overrides));
  const report: { config: SimConfig; policyOverrides: Partial<ScalingPolicy>; traces: Record<string, Record<PolicyName, PolicyMetrics>> } = { config, policyOverrides: overrides, traces: {} };
  const plots: Record<string, string[]> = {};
  if (options.out) mkdirSync(options.out, { recursive: true });
  for (const path of options.trace) {
    const trace = readTrace(path, config);
    const result = runTrace(trace, config, policy);
    report.traces[trace.name] = result.metrics;
    if (options.out && options.plots) plots[trace.name] = await writePlots(options.out, trace, result, config);
    if (!options.json) process.stdout.write(`${table(trace.name, result.metrics)}\n\n`);
  }
  const json = JSON.stringify(report, null, 2);
  if (options.out) {
    writeFileSync(join(options.out, 'report.json'), `${json}\n`);
    const summaryPlots = options.plots ? await writeSummary(options.out, report.traces) : [];
    writeFileSync(join(options.out, 'report.html'), renderHtml({ config, metrics: report.traces, plots, summaryPlots }));
  }
  if (options.json) process.stdout.write(`${json}\n`);
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
