import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@smartscale/testing';

/**
 * Helm and promtool for the deploy/ specs, where tools/infra/ops-tools.js puts them (`npm test` runs it
 * first). Missing binaries fail the spec with the command to run: a check that skips itself would pass
 * while checking nothing.
 */
export function opsTool(name: 'helm' | 'promtool'): string {
  const file = join(REPO_ROOT, '.smartscale', 'ops-tools', 'bin', name);
  if (!existsSync(file)) {
    throw new Error(`${name} is not installed at ${file}: run \`npm test\` (which installs it) or \`node tools/infra/ops-tools.js\`, then run the spec again`);
  }
  return file;
}
