import { createCanvas } from '@napi-rs/canvas';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimConfig } from './config';
import { PolicyMetrics } from './metrics';
import { POLICY_NAMES, PolicyName, SWEPT_POLICIES, TraceResult } from './run';
import { TraceFrontier } from './sweep';
import { Trace } from './trace';

// chart.js ships ESM types; a dynamic import is how a CommonJS build loads it (its `require` export at run time).
const loadChartJs = async () => {
  const chartJs = await import('chart.js');
  chartJs.Chart.register(...chartJs.registerables);
  return chartJs;
};
type ChartJs = Awaited<ReturnType<typeof loadChartJs>>;
type ChartConfiguration = ConstructorParameters<ChartJs['Chart']>[1];
type ChartItem = ConstructorParameters<ChartJs['Chart']>[0];

const COLOURS: Record<PolicyName, string> = {
  smartscale: '#d62728',
  hpa: '#1f77b4',
  hpa_cpu: '#8c564b',
  keda: '#2ca02c',
  kpa: '#9467bd',
  static: '#7f7f7f',
  oracle: '#ff7f0e',
  reactive_ideal: '#17becf',
};
const MAX_POINTS = 1200;

/** Bucket means over [from, to), so a 600k-second run draws as ~1k points. */
function downsample(series: ArrayLike<number>, from: number, to: number, scale = 1): number[] {
  const size = Math.max(1, Math.ceil((to - from) / MAX_POINTS));
  const out: number[] = [];
  for (let start = from; start < to; start += size) {
    let sum = 0;
    const end = Math.min(to, start + size);
    for (let i = start; i < end; i++) sum += series[i];
    out.push((sum / (end - start)) * scale);
  }
  return out;
}

function render(chartJs: ChartJs, config: ChartConfiguration, width: number, height: number): Buffer {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  // White background: PNGs are read in viewers that show transparency as black.
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  const chart = new chartJs.Chart(ctx as unknown as ChartItem, config);
  const png = canvas.toBuffer('image/png');
  chart.destroy();
  return png;
}

/** Demand against ready capacity (events/s) for every policy over [from, to) seconds. */
function capacityChart(title: string, result: TraceResult, config: SimConfig, from: number, to: number): ChartConfiguration {
  const demand = downsample(result.runs.hpa.arrivals, from, to);
  const hoursPerPoint = (to - from) / demand.length / 3600;
  const labels = demand.map((_, i) => (from / 3600 + i * hoursPerPoint).toFixed(2));
  const line = (label: string, data: number[], colour: string, width: number) => ({
    label,
    data,
    borderColor: colour,
    backgroundColor: colour,
    borderWidth: width,
    pointRadius: 0,
  });
  const datasets = [
    line('demand', demand, '#000000', 2),
    ...POLICY_NAMES.map((name) =>
      line(`${name} ready capacity`, downsample(result.runs[name].ready, from, to, config.capacityPerReplica), COLOURS[name], 1.2),
    ),
  ];
  return {
    type: 'line',
    data: { labels, datasets },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: { title: { display: true, text: title } },
      scales: {
        x: { title: { display: true, text: 'replayed hours' }, ticks: { maxTicksLimit: 20 } },
        y: { title: { display: true, text: 'events/s' } },
      },
    },
  };
}

/** The two hours of replay around the trace's largest rise: where autoscalers differ most. */
function zoomAroundLargestRise(rows: number[], config: SimConfig): [number, number] {
  let best = 1;
  for (let i = 1; i < rows.length; i++) if (rows[i] - rows[i - 1] > rows[best] - rows[best - 1]) best = i;
  const half = Math.round(3600 / config.rowSeconds);
  const from = Math.max(0, best - half) * config.rowSeconds;
  return [from, Math.min(rows.length * config.rowSeconds, from + 2 * half * config.rowSeconds)];
}

/** Full-trace and zoomed PNGs per trace; returns the file names written (relative to dir). */
export async function writePlots(dir: string, trace: Trace, result: TraceResult, config: SimConfig): Promise<string[]> {
  const chartJs = await loadChartJs();
  const base = trace.name.replace(/\.csv$/, '');
  const [from, to] = zoomAroundLargestRise(trace.rows, config);
  const charts: [string, ChartConfiguration][] = [
    [`${base}.png`, capacityChart(`${trace.name}: demand vs ready capacity`, result, config, 0, trace.rows.length * config.rowSeconds)],
    [`${base}-zoom.png`, capacityChart(`${trace.name}: the largest rise, zoomed`, result, config, from, to)],
  ];
  for (const [file, chart] of charts) writeFileSync(join(dir, file), render(chartJs, chart, 1800, 700));
  return charts.map(([file]) => file);
}

/** Each policy's under-provisioned minutes and replica-hours as a ratio to HPA, per trace. */
export async function writeSummary(dir: string, metrics: Record<string, Record<PolicyName, PolicyMetrics>>): Promise<string[]> {
  const chartJs = await loadChartJs();
  const traces = Object.keys(metrics);
  const files: string[] = [];
  for (const key of ['under_provisioned_minutes', 'replica_hours', 'scaling_actions'] as const) {
    const datasets = POLICY_NAMES.map((name) => ({
      label: name,
      data: traces.map((t) => metrics[t][name].vs_hpa?.[key] ?? 0),
      backgroundColor: COLOURS[name],
    }));
    const chart: ChartConfiguration = {
      type: 'bar',
      data: { labels: traces, datasets },
      options: {
        responsive: false,
        animation: false,
        devicePixelRatio: 1,
        plugins: { title: { display: true, text: `${key} / HPA's (lower is better; 1 = HPA)` } },
      },
    };
    const file = `summary-${key}.png`;
    writeFileSync(join(dir, file), render(chartJs, chart, 1400, 600));
    files.push(file);
  }
  return files;
}

/** Each swept policy's points (small) and frontier (line), and every default (large): replica-hours against under-provisioned minutes. */
export async function writeFrontierPlot(
  dir: string,
  traceName: string,
  f: TraceFrontier,
  defaults: Record<PolicyName, PolicyMetrics>,
): Promise<string> {
  const chartJs = await loadChartJs();
  const xy = (rh: number, under: number) => ({ x: rh, y: under });
  const datasets = SWEPT_POLICIES.flatMap((name) => [
    {
      type: 'line' as const,
      label: `${name} frontier`,
      data: f.frontier[name].map((p) => xy(p.replica_hours, p.under_provisioned_minutes)),
      borderColor: COLOURS[name],
      backgroundColor: COLOURS[name],
      borderWidth: 2,
      pointRadius: 3,
      showLine: true,
    },
    {
      type: 'scatter' as const,
      label: `${name} swept`,
      data: f.points[name].map((p) => xy(p.replica_hours, p.under_provisioned_minutes)),
      borderColor: COLOURS[name],
      backgroundColor: 'rgba(0,0,0,0)',
      pointRadius: 4,
      pointStyle: 'crossRot' as const,
    },
    {
      type: 'scatter' as const,
      label: `${name} default`,
      data: [xy(defaults[name].replica_hours, defaults[name].under_provisioned_minutes)],
      borderColor: '#000000',
      backgroundColor: COLOURS[name],
      pointRadius: 9,
      pointStyle: 'rectRot' as const,
    },
  ]);
  const chart = {
    type: 'scatter',
    data: { datasets },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: {
        title: { display: true, text: `${traceName}: cost against under-provisioning (lower left is better; large marks are defaults)` },
      },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'replica-hours' } },
        y: { type: 'linear', title: { display: true, text: 'under-provisioned minutes' } },
      },
    },
  } as unknown as ChartConfiguration;
  const file = `${traceName.replace(/\.csv$/, '')}-frontier.png`;
  writeFileSync(join(dir, file), render(chartJs, chart, 1400, 800));
  return file;
}
