import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { transformFile } from '@swc/core';

const ROOT = join(__dirname, '..', '..');
const SOURCE = join(ROOT, 'workflows/src/console/public/console.ts');
/** Where `npm run build` writes it, and where the worker serves it from, built or run from source. */
export const BUILT_CONSOLE_SCRIPT = join(ROOT, 'dist/workflows/src/console/public/console.js');

/**
 * The console's browser script as `npm run build` writes it (the same compiler and .swcrc, with its source
 * map), for specs that serve the page from a worker run from source, so that they never serve a stale build.
 * Written to a temporary name and renamed, so that a worker serving it meanwhile never reads half a file.
 */
export async function buildConsoleScript(): Promise<string> {
  const { code, map } = await transformFile(SOURCE, { configFile: join(ROOT, '.swcrc'), swcrc: false, sourceMaps: true });
  const dir = join(BUILT_CONSOLE_SCRIPT, '..');
  await mkdir(dir, { recursive: true });
  const tmp = `${BUILT_CONSOLE_SCRIPT}.${process.pid}.tmp`;
  if (map) {
    await writeFile(`${tmp}.map`, map);
    await rename(`${tmp}.map`, `${BUILT_CONSOLE_SCRIPT}.map`);
  }
  const body = map ? `${code}\n//# sourceMappingURL=${basename(BUILT_CONSOLE_SCRIPT)}.map` : code;
  await writeFile(tmp, body);
  await rename(tmp, BUILT_CONSOLE_SCRIPT);
  return body;
}
