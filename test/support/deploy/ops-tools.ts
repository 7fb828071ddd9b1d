import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { opsToolsPaths } from '../../../tools/infra';

/**
 * Helm and promtool for the deploy/ specs, where tools/infra (ops-tools.ts) puts them (`npm test` runs it
 * first). Missing binaries fail the spec with the command to run: a check that skips itself would pass
 * while checking nothing.
 */
export function opsTool(name: 'helm' | 'promtool'): string {
  const file = join(opsToolsPaths.bin, name);
  if (!existsSync(file)) {
    throw new Error(
      `${name} is not installed at ${file}: run \`npm test\` (which installs it) or \`node dist/tools/infra/main.js ops-tools\` after \`npm run build\`, then run the spec again`,
    );
  }
  return file;
}
