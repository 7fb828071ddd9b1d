import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@smartscale/testing';
import { loadAggregatorConfig } from '../../../apps/aggregator/src/config/aggregator.config';
import { loadIngestConfig } from '../../../apps/ingest/src/config/ingest.config';
import { loadPredictorConfig } from '../../../apps/predictor/src/config/predictor.config';
import { loadWorkerConfig } from '../../../workflows/src/config/worker.config';

/**
 * What each deployable app reads, for the deploy/ specs (compose, Helm): its entry point, the file with
 * its config schema, and the loader that validates an environment the way the app does at boot.
 */
export type AppName = 'ingest' | 'aggregator' | 'predictor' | 'worker';

interface AppConfigSpec {
  entry: string;
  configFile: string;
  load: (env: NodeJS.ProcessEnv) => { http?: { host: string; port: number } | null };
}

export const APPS: Record<AppName, AppConfigSpec> = {
  ingest: { entry: 'apps/ingest/src/main.ts', configFile: 'apps/ingest/src/config/ingest.config.ts', load: loadIngestConfig },
  aggregator: {
    entry: 'apps/aggregator/src/main.ts',
    configFile: 'apps/aggregator/src/config/aggregator.config.ts',
    load: loadAggregatorConfig,
  },
  predictor: {
    entry: 'apps/predictor/src/main.ts',
    configFile: 'apps/predictor/src/config/predictor.config.ts',
    load: loadPredictorConfig,
  },
  worker: { entry: 'workflows/src/main.ts', configFile: 'workflows/src/config/worker.config.ts', load: loadWorkerConfig },
};

export const APP_NAMES = Object.keys(APPS) as AppName[];

const SHARED_ENV_FILE = 'libs/config/src/env.ts';
const declaredVariables = (file: string): string[] =>
  [...readFileSync(join(REPO_ROOT, file), 'utf8').matchAll(/\b(SMARTSCALE_[A-Z0-9_]+):/g)].map((m) => m[1]);

/** Every SMARTSCALE_* variable the app's schema (its own and the shared fragments) declares. */
export function knownVariables(app: AppName): Set<string> {
  return new Set([...declaredVariables(SHARED_ENV_FILE), ...declaredVariables(APPS[app].configFile)]);
}

/** Variables in `env` that the app does not read: a typo there is silently ignored at run time. */
export function unknownVariables(app: AppName, env: Record<string, string>): string[] {
  const known = knownVariables(app);
  return Object.keys(env).filter((v) => !known.has(v));
}

/** The app's validated config for that environment (throws as the app would at boot). */
export function loadAppConfig(app: AppName, env: Record<string, string>): ReturnType<AppConfigSpec['load']> {
  return APPS[app].load(env);
}

/** `node dist/<path>.js` in a container → the TypeScript source that the build turns into it. */
export function sourceOfEntry(jsPath: string): string {
  return jsPath.replace(/^(\/app\/)?dist\//, '').replace(/\.js$/, '.ts');
}
