import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@smartscale/testing';
import { composeServices } from '../../test/support/deploy/compose-file';
import { CatalogEntry, metricCatalog, queryProblems } from '../../test/support/deploy/metric-catalog';
import { queryRefs, variableQueryRefs } from '../../test/support/deploy/promql';

// The provisioned dashboards, checked against the apps: every panel query and template variable
// selects series the apps really export (from their registries), with labels they carry, through the
// datasource that Grafana is provisioned with; and compose mounts what the provisioning points at.
const DIR = join(REPO_ROOT, 'deploy/grafana');

interface Target {
  expr: string;
  datasource?: { uid: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; datasource?: { uid: string }; query: string | { query: string } }[] };
}

const files = readdirSync(join(DIR, 'dashboards')).filter((f) => f.endsWith('.json'));
const dashboards = files.map((f) => JSON.parse(readFileSync(join(DIR, 'dashboards', f), 'utf8')) as Dashboard);
const panels = dashboards.flatMap((d) => d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => ({ dashboard: d.title, ...p })));
const queries = panels.flatMap((p) => (p.targets ?? []).map((t, i) => [`${p.dashboard} / ${p.title} #${i + 1}`, t.expr] as const));
const variables = dashboards.flatMap((d) =>
  d.templating.list.map((v) => [`${d.title} / $${v.name}`, typeof v.query === 'string' ? v.query : v.query.query] as const),
);

const datasources = (
  parse(readFileSync(join(DIR, 'provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: { uid: string; url: string }[] }
).datasources;
const scrapeJobs = new Set(
  (
    parse(readFileSync(join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string }[] }
  ).scrape_configs.map((s) => s.job_name),
);

let catalog: Map<string, CatalogEntry>;
beforeAll(async () => {
  catalog = await metricCatalog();
});

describe('deploy/grafana dashboards', () => {
  it('has dashboards with queries', () => {
    expect(dashboards.length).toBeGreaterThan(0);
    expect(queries.length).toBeGreaterThan(10);
  });

  it.each(queries)('%s queries only series the apps export, with their labels', (_panel, expr) => {
    expect(queryProblems(queryRefs(expr), catalog, scrapeJobs)).toEqual([]);
  });

  it.each(variables)('variable %s reads series the apps export', (_variable, query) => {
    expect(queryProblems(variableQueryRefs(query), catalog, scrapeJobs)).toEqual([]);
  });

  it('queries through the provisioned Prometheus datasource only, which is the compose Prometheus', () => {
    const uids = new Set(
      [
        ...panels.flatMap((p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)]),
        ...dashboards.flatMap((d) => d.templating.list.map((v) => v.datasource?.uid)),
      ].filter(Boolean),
    );
    expect([...uids]).toEqual(datasources.map((d) => d.uid));
    expect(datasources.map((d) => d.url)).toEqual([`http://prometheus:${composeServices().prometheus.ports?.[0].split(':').at(-1)}`]);
  });

  it('shows what the operators asked for', () => {
    const all = queries.map(([, e]) => e).join('\n');
    for (const series of [
      'smartscale_ingest_events_accepted_total', // ingest rate
      'smartscale_ingest_requests_rejected_total', // rejections
      'smartscale_aggregator_consumer_lag', // lag per partition
      'smartscale_aggregator_window_close_latency_seconds_bucket',
      'smartscale_predictor_observed_events_per_second',
      'smartscale_predictor_observed_latency_p95_seconds',
      'smartscale_predictor_forecast_events_per_second',
      'smartscale_worker_desired_replicas',
      'smartscale_worker_ready_replicas',
      'smartscale_worker_decisions_total',
      'smartscale_worker_activity_retries_total',
    ])
      expect(all).toContain(series);
  });

  it('has unique dashboard uids and titles', () => {
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    expect(new Set(dashboards.map((d) => d.title)).size).toBe(dashboards.length);
  });

  it('is provisioned from the folder that compose mounts', () => {
    const provider = (
      parse(readFileSync(join(DIR, 'provisioning/dashboards/smartscale.yml'), 'utf8')) as { providers: { options: { path: string } }[] }
    ).providers[0];
    const volumes = composeServices().grafana.volumes ?? [];
    expect(volumes).toContain(`./deploy/grafana/dashboards:${provider.options.path}:ro`);
    expect(volumes).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
  });
});
