import { AppName, APP_NAMES } from './app-config';
import { exportedMetrics, ExportedMetric } from './exported-metrics';
import { queryRefs, QueryRefs } from './promql';

/** A series name a query can select, who exports it, and the labels its samples carry. */
export interface CatalogEntry {
  family: ExportedMetric | null;
  apps: AppName[];
  labels: Set<string>;
}

// Made by Prometheus itself for every scrape target, not by an app.
const SCRAPE_SERIES: Record<string, string[]> = { up: ['job', 'instance'] };

/** Every series name the four apps export on /metrics, from their real registries. */
export async function metricCatalog(): Promise<Map<string, CatalogEntry>> {
  const catalog = new Map<string, CatalogEntry>();
  for (const app of APP_NAMES) {
    for (const family of await exportedMetrics(app)) {
      for (const series of family.series) {
        const entry = catalog.get(series) ?? { family, apps: [], labels: new Set<string>() };
        entry.apps.push(app);
        family.labels.forEach((l) => entry.labels.add(l));
        catalog.set(series, entry);
      }
    }
  }
  for (const [name, labels] of Object.entries(SCRAPE_SERIES)) catalog.set(name, { family: null, apps: [], labels: new Set(labels) });
  return catalog;
}

/** Why a query would show nothing: names no app exports, labels those metrics do not carry, unknown jobs. */
export function queryProblems(refs: QueryRefs, catalog: Map<string, CatalogEntry>, scrapeJobs: Set<string>): string[] {
  const problems: string[] = [];
  if (refs.metrics.length === 0) problems.push('names no metric');
  const families = new Map([...catalog.values()].filter((e) => e.family).map((e) => [e.family!.family, e.family!]));
  for (const name of refs.metrics) {
    const entry = catalog.get(name);
    if (!entry) {
      const family = families.get(name);
      problems.push(family ? `${name} is a ${family.type}: query ${family.series.join(', ')}` : `${name} is not exported by any app`);
      continue;
    }
    for (const label of refs.matchers.get(name) ?? [])
      if (label !== '__name__' && !entry.labels.has(label)) problems.push(`${name} has no label "${label}"`);
  }
  const known = refs.metrics.map((n) => catalog.get(n)).filter((e): e is CatalogEntry => !!e);
  for (const label of refs.grouping)
    if (known.length > 0 && !known.some((e) => e.labels.has(label))) problems.push(`no metric of the query has label "${label}"`);
  for (const job of refs.jobs) if (!scrapeJobs.has(job)) problems.push(`job "${job}" is not a scrape job`);
  return problems;
}

export const exprProblems = (expr: string, catalog: Map<string, CatalogEntry>, jobs: Set<string>): string[] =>
  queryProblems(queryRefs(expr), catalog, jobs);
