import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTE_TYPES } from '@smartscale/contracts';
import { REPO_ROOT } from '@smartscale/testing';
import { loadAggregatorConfig } from '../../apps/aggregator/src/config/aggregator.config';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { loadPredictorConfig } from '../../apps/predictor/src/config/predictor.config';
import { loadWorkerConfig } from '../../workflows/src/config/worker.config';

// No Docker engine runs here, so the compose file is checked against what the apps actually read:
// every entry point exists, every variable is one the app's config schema knows and accepts, and
// every published container port is the port the app will listen on.
interface Service {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const sharedEnv = readFileSync(join(REPO_ROOT, 'libs/config/src/env.ts'), 'utf8');

const apps: Record<string, { configFile: string; load: (env: NodeJS.ProcessEnv) => object }> = {
  ingest: { configFile: 'apps/ingest/src/config/ingest.config.ts', load: loadIngestConfig },
  aggregator: { configFile: 'apps/aggregator/src/config/aggregator.config.ts', load: loadAggregatorConfig },
  predictor: { configFile: 'apps/predictor/src/config/predictor.config.ts', load: loadPredictorConfig },
  worker: { configFile: 'workflows/src/config/worker.config.ts', load: loadWorkerConfig },
};

const declaredVariables = (source: string): Set<string> => new Set([...source.matchAll(/\b(SMARTSCALE_[A-Z0-9_]+):/g)].map((m) => m[1]));

describe('docker-compose.yml', () => {
  it.each(Object.keys(apps))('runs %s with an entry point that the build produces', (name) => {
    const command = compose.services[name].command ?? [];
    expect(command[0]).toBe('node');
    const source = command[1].replace(/^dist\//, '').replace(/\.js$/, '.ts');
    expect(existsSync(join(REPO_ROOT, source))).toBe(true);
  });

  it.each(Object.keys(apps))('gives %s only variables its config reads, with values it accepts', (name) => {
    const env = compose.services[name].environment ?? {};
    const known = new Set([...declaredVariables(sharedEnv), ...declaredVariables(readFileSync(join(REPO_ROOT, apps[name].configFile), 'utf8'))]);
    expect(Object.keys(env).filter((v) => !known.has(v))).toEqual([]);
    expect(() => apps[name].load(env)).not.toThrow();
  });

  it.each(Object.keys(apps).filter((n) => compose.services[n].ports))('publishes the port %s listens on, on all interfaces', (name) => {
    const service = compose.services[name];
    const config = apps[name].load(service.environment ?? {}) as { http?: { port: number } };
    const containerPorts = (service.ports ?? []).map((p) => Number(p.split(':').at(-1)));
    expect(containerPorts).toEqual([config.http?.port]);
    expect(Object.entries(service.environment ?? {}).find(([k]) => k.endsWith('_HOST'))?.[1]).toBe('0.0.0.0');
  });

  it('registers exactly the search attributes the controller upserts', () => {
    const command = (compose.services['temporal-search-attributes'].command ?? []).join(' ');
    const registered = Object.fromEntries([...command.matchAll(/(SmartScale\w+):(\w+)/g)].map((m) => [m[1], m[2]]));
    expect(registered).toEqual(SEARCH_ATTRIBUTE_TYPES);
  });
});
