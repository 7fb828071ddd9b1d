import { SimConfig } from './config';
import { PolicyMetrics } from './metrics';
import { PolicyName } from './run';
import { TraceFrontier } from './sweep';
import { frontierTable } from './tables';

export interface HtmlReportInput {
  config: SimConfig;
  metrics: Record<string, Record<PolicyName, PolicyMetrics>>;
  /** equal-cost figures per trace, when the frontiers were swept */
  frontiers: Record<string, TraceFrontier>;
  /** PNG file names per trace, relative to the report */
  plots: Record<string, string[]>;
  summaryPlots: string[];
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLUMNS: [keyof PolicyMetrics, string][] = [
  ['under_provisioned_minutes', 'under-provisioned min'],
  ['replica_hours', 'replica-hours'],
  ['scaling_actions', 'scaling actions'],
  ['rebalances', 'rebalances'],
  ['backlog_peak_events', 'backlog peak'],
  ['latency_peak_seconds', 'latency peak (s)'],
  ['time_to_scale_seconds', 'time to scale (s)'],
];

function table(byPolicy: Record<PolicyName, PolicyMetrics>): string {
  const head = `<tr><th>policy</th>${COLUMNS.map(([, label]) => `<th>${label}</th>`).join('')}<th>under / HPA</th><th>replica-h / HPA</th><th>actions / HPA</th></tr>`;
  const rows = Object.entries(byPolicy).map(([name, m]) => {
    const cells = COLUMNS.map(([key]) => `<td>${String(m[key] ?? '–')}</td>`).join('');
    const r = m.vs_hpa;
    const ratios = [r?.under_provisioned_minutes, r?.replica_hours, r?.scaling_actions].map((v) => `<td>${v ?? '–'}</td>`).join('');
    return `<tr><td>${name}</td>${cells}${ratios}</tr>`;
  });
  return `<table>${head}${rows.join('')}</table>`;
}

/** One static page: the summary charts, then per trace its table and plots. No scripts, opens from disk. */
export function renderHtml(input: HtmlReportInput): string {
  const img = (file: string): string => `<img src="${escape(file)}" alt="${escape(file)}">`;
  const traces = Object.entries(input.metrics).map(
    ([name, byPolicy]) =>
      `<h2>${escape(name)}</h2><h3>Default against default</h3>${table(byPolicy)}${input.frontiers[name] ? `<h3>At equal cost</h3><pre>${escape(frontierTable(name, input.frontiers[name]))}</pre>` : ''}${(input.plots[name] ?? []).map(img).join('')}`,
  );
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>SmartScale backtest</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}img{max-width:100%;display:block;margin:1em 0}</style>
</head><body>
<h1>SmartScale backtest</h1>
<p>Same capacity model for every policy and trace:</p><pre>${escape(JSON.stringify(input.config, null, 2))}</pre>
${input.summaryPlots.map(img).join('')}
${traces.join('\n')}
</body></html>
`;
}
