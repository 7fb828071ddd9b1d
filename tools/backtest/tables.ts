import { PolicyMetrics } from './metrics';
import { PolicyName, SWEPT_POLICIES } from './run';
import { TraceFrontier } from './sweep';

/** Default-vs-default: every policy at its default setting, with its ratios to HPA. */
export function table(name: string, metrics: Record<PolicyName, PolicyMetrics>): string {
  const head = ['under_min', 'replica_h', 'actions', 'rebal', 'backlog_pk', 'ttscale_s', 'under/HPA', 'rh/HPA', 'act/HPA'];
  const lines = [name, `${'policy'.padEnd(15)}${head.map((h) => h.padStart(11)).join('')}`];
  for (const [policy, m] of Object.entries(metrics)) {
    const r = m.vs_hpa;
    const cols = [
      m.under_provisioned_minutes,
      m.replica_hours,
      m.scaling_actions,
      m.rebalances,
      m.backlog_peak_events,
      m.time_to_scale_seconds ?? '-',
      r?.under_provisioned_minutes ?? '-',
      r?.replica_hours ?? '-',
      r?.scaling_actions ?? '-',
    ];
    lines.push(`${policy.padEnd(15)}${cols.map((c) => String(c).padStart(11)).join('')}`);
  }
  return lines.join('\n');
}

/** Equal cost: each policy's under-provisioned minutes on its frontier at each baseline's default replica-hours. */
export function frontierTable(name: string, f: TraceFrontier): string {
  const refs = Object.keys(f.at_default_cost) as (keyof TraceFrontier['at_default_cost'])[];
  const lines = [`${name}: under-provisioned minutes at equal cost (frontier, interpolated; '-' = cannot run that cheaply)`];
  lines.push(`${'policy'.padEnd(15)}${refs.map((r) => `@${r} ${f.at_default_cost[r].replica_hours} rh`.padStart(22)).join('')}`);
  for (const p of SWEPT_POLICIES)
    lines.push(`${p.padEnd(15)}${refs.map((r) => String(f.at_default_cost[r].by_policy[p] ?? '-').padStart(22)).join('')}`);
  lines.push(`${'(default)'.padEnd(15)}${refs.map((r) => String(f.at_default_cost[r].under_provisioned_minutes).padStart(22)).join('')}`);
  lines.push(
    `smartscale at HPA-default's cost: ${f.smartscale_at_hpa_cost.under_provisioned_minutes ?? '-'} min (${f.smartscale_at_hpa_cost.ratio_to_hpa ?? '-'}× HPA's)`,
  );
  lines.push(
    `lowest frontier by cost: ${f.best_by_cost.map((r) => `${r.best} ${r.from_replica_hours}–${r.to_replica_hours} rh`).join('; ')}`,
  );
  const dom = SWEPT_POLICIES.filter((p) => f.dominates[p].length > 0).map((p) => `${p} > ${f.dominates[p].join(', ')}`);
  lines.push(`dominates: ${dom.length > 0 ? dom.join('; ') : 'none'}`);
  return lines.join('\n');
}

/** The issue's per-trace targets for SmartScale's default against HPA's default. */
export const TARGETS = { replica_hours: 1.0, under_provisioned_minutes: 0.5, scaling_actions: 0.5 } as const;

const fmt = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : String(Math.round(n * 1000) / 1000));
const mark = (n: number | null | undefined, max: number): string =>
  n === null || n === undefined ? '–' : n <= max ? `**${fmt(n)}**` : fmt(n);

/** Markdown for docs/backtest.md: default-vs-default ratios to HPA and the equal-cost figures, one row per trace. */
export function markdownSummary(
  traces: Record<string, Record<PolicyName, PolicyMetrics>>,
  frontiers: Record<string, TraceFrontier> | undefined,
): string {
  const lines = [
    '| trace | under-prov. ÷ HPA (≤ 0.5) | replica-h ÷ HPA (≤ 1.0) | actions ÷ HPA (≤ 0.5) | targets met | SmartScale / HPA / KEDA / KPA under-prov. min |',
    '|---|---|---|---|---|---|',
  ];
  for (const [name, m] of Object.entries(traces)) {
    const r = m.smartscale.vs_hpa;
    const met = [r?.under_provisioned_minutes, r?.replica_hours, r?.scaling_actions].filter(
      (v, i) =>
        v !== null && v !== undefined && v <= [TARGETS.under_provisioned_minutes, TARGETS.replica_hours, TARGETS.scaling_actions][i],
    ).length;
    lines.push(
      `| ${name} | ${mark(r?.under_provisioned_minutes, TARGETS.under_provisioned_minutes)} | ${mark(r?.replica_hours, TARGETS.replica_hours)} | ${mark(r?.scaling_actions, TARGETS.scaling_actions)} | ${met}/3 | ${fmt(m.smartscale.under_provisioned_minutes)} / ${fmt(m.hpa.under_provisioned_minutes)} / ${fmt(m.keda.under_provisioned_minutes)} / ${fmt(m.kpa.under_provisioned_minutes)} |`,
    );
  }
  lines.push(
    '',
    '| trace | rebalance pauses, min: SmartScale / HPA / KEDA | episodes short of capacity: SmartScale / HPA / KEDA / KPA | their median length, s: SmartScale / HPA / KEDA / KPA |',
    '|---|---|---|---|',
  );
  const each = (m: Record<PolicyName, PolicyMetrics>, pick: (p: PolicyMetrics) => number | null, names: PolicyName[]): string =>
    names.map((n) => fmt(pick(m[n]))).join(' / ');
  for (const [name, m] of Object.entries(traces)) {
    lines.push(
      `| ${name} | ${each(m, (p) => p.rebalance_paused_minutes, ['smartscale', 'hpa', 'keda'])} | ${each(m, (p) => p.short_episodes, ['smartscale', 'hpa', 'keda', 'kpa'])} | ${each(m, (p) => p.short_episode_median_seconds, ['smartscale', 'hpa', 'keda', 'kpa'])} |`,
    );
  }
  if (!frontiers) return lines.join('\n');
  lines.push(
    '',
    '| trace | SmartScale at HPA-default cost (÷ HPA) | at KEDA-default cost: SmartScale vs KEDA | at KPA-default cost: SmartScale vs KPA | lowest frontier by cost | dominates |',
    '|---|---|---|---|---|---|',
  );
  for (const [name, f] of Object.entries(frontiers)) {
    const at = (ref: 'keda' | 'kpa') => {
      const ss = f.at_default_cost[ref].by_policy.smartscale;
      const base = f.at_default_cost[ref].under_provisioned_minutes;
      return `${fmt(ss)} vs ${fmt(base)}${ss !== null && ss < base ? ' (fewer)' : ''}`;
    };
    const dom =
      SWEPT_POLICIES.filter((p) => f.dominates[p].length > 0)
        .map((p) => `${p} > ${f.dominates[p].join(', ')}`)
        .join('; ') || 'none';
    lines.push(
      `| ${name} | ${fmt(f.smartscale_at_hpa_cost.under_provisioned_minutes)} (${fmt(f.smartscale_at_hpa_cost.ratio_to_hpa)}) | ${at('keda')} | ${at('kpa')} | ${f.best_by_cost.map((r) => `${r.best} ${r.from_replica_hours}–${r.to_replica_hours}`).join('; ')} | ${dom} |`,
    );
  }
  return lines.join('\n');
}
