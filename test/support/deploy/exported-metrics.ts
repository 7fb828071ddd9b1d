import type { DynamicModule, Provider, Type } from '@nestjs/common';
import { MODULE_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@smartscale/ops';
import { AppModule as AggregatorAppModule } from '../../../apps/aggregator/src/app.module';
import { AppModule as IngestAppModule } from '../../../apps/ingest/src/app.module';
import { AppModule as PredictorAppModule } from '../../../apps/predictor/src/app.module';
import { WorkerModule } from '../../../workflows/src/worker.module';
import { AppName, APPS } from './app-config';

/** One metric family an app exports, with the sample names Prometheus stores for it. */
export interface ExportedMetric {
  app: AppName;
  family: string;
  type: string;
  labels: string[];
  /** What a query can name: a histogram `x` is stored as x_bucket, x_sum and x_count, never as x. */
  series: string[];
}

const ROOT_MODULES: Record<AppName, (config: never) => DynamicModule> = {
  ingest: (c) => IngestAppModule.forConfig(c),
  aggregator: (c) => AggregatorAppModule.forConfig(c),
  predictor: (c) => PredictorAppModule.forConfig(c),
  worker: (c) => WorkerModule.forConfig(c),
};

// Labels a sample gets besides its own: `le`/`quantile` from its type; `app` is the registry's default
// label (OpsModule); `job` and `instance` are added by Prometheus when it scrapes.
const SCRAPE_LABELS = ['app', 'job', 'instance'];

type FactoryProvider = { provide: unknown; inject?: unknown[]; useFactory: (...args: unknown[]) => unknown };
type ModuleRef = Type | DynamicModule | Promise<DynamicModule>;

/** Every provider declared in the module tree under `root` (imports followed, each module once). */
function providersOf(root: DynamicModule): Provider[] {
  const seen = new Set<unknown>();
  const out: Provider[] = [];
  const visit = (m: ModuleRef | undefined): void => {
    if (!m || m instanceof Promise || seen.has(m)) return;
    seen.add(m);
    const cls = 'module' in m ? m.module : m;
    const dynamic = 'module' in m ? m : { imports: [], providers: [] };
    out.push(...((Reflect.getMetadata(MODULE_METADATA.PROVIDERS, cls) as Provider[] | undefined) ?? []), ...(dynamic.providers ?? []));
    for (const i of [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls) as ModuleRef[] | undefined) ?? []),
      ...((dynamic.imports ?? []) as ModuleRef[]),
    ])
      visit(i);
  };
  visit(root);
  return out;
}

const isFactory = (p: Provider): p is Provider & FactoryProvider => typeof p === 'object' && 'useFactory' in p;
// A factory's `inject` holds tokens or { token }; @Inject() on a constructor records { index, param }.
const injectsRegistry = (deps: unknown[] | undefined): boolean =>
  (deps ?? []).some(
    (d) =>
      d === METRICS_REGISTRY ||
      (typeof d === 'object' &&
        d !== null &&
        ((d as { token?: unknown }).token === METRICS_REGISTRY || (d as { param?: unknown }).param === METRICS_REGISTRY)),
  );

/**
 * What an app really serves on /metrics, without starting it: the app's module tree is walked from its
 * AppModule; the registry comes from the app's own METRICS_REGISTRY factory (default metrics and the
 * `app` label included), and every provider factory that takes the registry is called with it, as
 * Nest would. A class that injects the registry itself would register metrics this cannot see
 * without building its Kafka or Temporal clients, so it is reported instead: metrics belong in the
 * app's metrics class, provided by a factory over METRICS_REGISTRY.
 */
export async function exportedMetrics(app: AppName): Promise<ExportedMetric[]> {
  return (await moduleMetrics(ROOT_MODULES[app](APPS[app].load({}) as never))).map((m) => ({ app, ...m }));
}

/** The metrics that the app rooted at `root` registers; see exportedMetrics. */
export async function moduleMetrics(root: DynamicModule): Promise<Omit<ExportedMetric, 'app'>[]> {
  const app = root.module.name;
  const providers = providersOf(root);
  const registryFactory = providers.find((p) => isFactory(p) && p.provide === METRICS_REGISTRY) as FactoryProvider | undefined;
  if (!registryFactory) throw new Error(`${app}: no METRICS_REGISTRY provider in its module tree (OpsModule.forRoot missing?)`);
  const registry = registryFactory.useFactory() as Registry;
  const hidden = providers.filter(
    (p) => typeof p === 'function' && injectsRegistry(Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, p) as unknown[] | undefined),
  );
  if (hidden.length > 0)
    throw new Error(
      `${app}: ${hidden.map((p) => (p as Type).name).join(', ')} inject METRICS_REGISTRY directly; move their metrics into the app's metrics class`,
    );
  for (const p of providers) if (isFactory(p) && p.provide !== METRICS_REGISTRY && injectsRegistry(p.inject)) p.useFactory(registry);

  const families = await registry.getMetricsAsJSON();
  return families.map((m) => {
    const type = String(m.type);
    const declared = (registry.getSingleMetric(m.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
    // Default metrics (nodejs_*) put labels on their samples without declaring them.
    const sampled = m.values.flatMap((v) => Object.keys(v.labels));
    const typeLabels = type === 'histogram' ? ['le'] : type === 'summary' ? ['quantile'] : [];
    const series =
      type === 'histogram'
        ? ['_bucket', '_sum', '_count'].map((s) => m.name + s)
        : type === 'summary'
          ? [m.name, `${m.name}_sum`, `${m.name}_count`]
          : [m.name];
    return { family: m.name, type, labels: [...new Set([...declared, ...typeLabels, ...sampled, ...SCRAPE_LABELS])], series };
  });
}
