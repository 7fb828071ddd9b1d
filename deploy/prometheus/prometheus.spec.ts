import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@smartscale/testing';
import { APP_NAMES, loadAppConfig } from '../../test/support/deploy/app-config';
import { composeServices } from '../../test/support/deploy/compose-file';
import { CatalogEntry, exprProblems, metricCatalog } from '../../test/support/deploy/metric-catalog';
import { opsTool } from '../../test/support/deploy/ops-tools';

// The scrape config and the alerting rules, checked against the apps: every app is scraped where
// compose runs it and on the port its config listens on, every rule queries series the apps really
// export (names from their registries, histogram suffixes included), and promtool accepts both.
const DIR = join(REPO_ROOT, 'deploy/prometheus');
const CONFIG = join(DIR, 'prometheus.yml');
const RULE_FILES = readdirSync(join(DIR, 'rules'))
  .filter((f) => f.endsWith('.rules.yml'))
  .map((f) => join(DIR, 'rules', f));

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: { targets: string[] }[];
}
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}

const config = parse(readFileSync(CONFIG, 'utf8')) as { scrape_configs: ScrapeConfig[]; rule_files: string[] };
const jobs = new Map(config.scrape_configs.map((s) => [s.job_name, s]));
const rules = RULE_FILES.flatMap((f) => (parse(readFileSync(f, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules));

let catalog: Map<string, CatalogEntry>;
beforeAll(async () => {
  catalog = await metricCatalog();
});

describe('deploy/prometheus/prometheus.yml', () => {
  it.each(APP_NAMES)('scrapes %s on /metrics at its compose service and the port its config listens on', (app) => {
    const job = jobs.get(app);
    expect(job).toBeDefined();
    const service = composeServices()[app];
    const port = loadAppConfig(app, service.environment ?? {}).http?.port;
    expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job?.static_configs.flatMap((c) => c.targets)).toEqual([`${app}:${port}`]);
  });

  it('loads the rule files that exist', () => {
    expect(RULE_FILES.length).toBeGreaterThan(0);
    expect(config.rule_files).toEqual(['rules/*.rules.yml']);
  });

  it('passes promtool check config (rule files included)', () => {
    expect(() => execFileSync(opsTool('promtool'), ['check', 'config', CONFIG], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });
});

describe('deploy/prometheus/rules', () => {
  it.each(rules.map((r) => [r.alert ?? r.record, r.expr]))('%s queries only series the apps export, with their labels', (_name, expr) => {
    expect(exprProblems(expr, catalog, new Set(jobs.keys()))).toEqual([]);
  });

  it('alerts on ingest rejecting, consumer lag growing and a workflow not deciding', () => {
    const queried = rules.map((r) => r.expr).join('\n');
    for (const series of [
      'smartscale_ingest_events_rejected_total',
      'smartscale_aggregator_consumer_lag',
      'smartscale_worker_last_decision_timestamp_seconds',
    ])
      expect(queried).toContain(series);
  });

  it('passes promtool check rules and the rule unit tests (promtool test rules)', () => {
    const promtool = opsTool('promtool');
    const run = (args: string[]) => execFileSync(promtool, args, { cwd: DIR, encoding: 'utf8', stdio: 'pipe' });
    expect(() => run(['check', 'rules', ...RULE_FILES])).not.toThrow();
    const tests = readdirSync(join(DIR, 'tests')).filter((f) => f.endsWith('.test.yml'));
    expect(tests.length).toBeGreaterThan(0);
    for (const t of tests) expect(run(['test', 'rules', join('tests', t)])).toContain('SUCCESS');
  });
});
