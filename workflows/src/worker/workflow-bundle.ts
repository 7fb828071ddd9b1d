import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, WorkflowBundle } from '@temporalio/worker';
import { TsconfigPathsPlugin } from 'tsconfig-paths-webpack-plugin';

/**
 * Bundles the workflow sources. Temporal's bundler ignores tsconfig `paths`, so the same aliases are
 * given to its webpack through TsconfigPathsPlugin (verified-setup.md).
 */
export async function bundleControllerWorkflows(root: string): Promise<WorkflowBundle> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: join(root, 'workflows/src/workflows/index.ts'),
    webpackConfigHook: (config) => {
      config.resolve = config.resolve ?? {};
      config.resolve.plugins = [...(config.resolve.plugins ?? []), new TsconfigPathsPlugin({ configFile: join(root, 'tsconfig.json') })];
      return config;
    },
    logger: quietLogger,
  });
  return { code };
}

/** A prebuilt bundle when there is one (production), else bundled now (dev and tests). */
export async function loadOrBundle(root: string, bundlePath: string | null): Promise<WorkflowBundle> {
  if (bundlePath && existsSync(bundlePath)) return { code: readFileSync(bundlePath, 'utf8') };
  return bundleControllerWorkflows(root);
}

const noop = (): void => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
