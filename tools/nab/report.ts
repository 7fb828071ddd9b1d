import { NabReport } from './evaluate';

export interface PublishedDetector {
  name: string;
  [profile: string]: string | number;
}

const PROFILE_COLUMNS = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'] as const;

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

function cell(value: string | number | undefined): string {
  return typeof value === 'number' ? value.toFixed(1) : '-';
}

/** Human-readable table: this detector ranked among the published ones, then the totals. */
export function formatReport(report: NabReport, published: readonly PublishedDetector[]): string {
  const widths = [22, 10, 10, 10];
  const ours: PublishedDetector = { name: 'smartscale (this run)', ...report.scores };
  const ranked = [...published, ours].sort((a, b) => Number(b.standard ?? 0) - Number(a.standard ?? 0));
  const lines = [
    row(['detector', 'standard', 'low FP', 'low FN'], widths),
    ...ranked.map((d) => row([d.name, ...PROFILE_COLUMNS.map((p) => cell(d[p]))], widths)),
    '',
    ...Object.keys(report.scores).map((p) => `${p}: threshold ${report.thresholds[p].toFixed(6)}, raw ${report.raw[p].toFixed(4)}`),
    `${report.rows} rows, ${report.windows} windows, ${report.microsPerPoint.toFixed(2)} µs per point`,
  ];
  return lines.join('\n');
}
