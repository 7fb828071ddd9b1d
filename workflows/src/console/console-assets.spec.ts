import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { parseSync } from '@swc/core';
import { buildConsoleScript } from '../../../test/support/console-script';
import { ConsoleAssets } from './console-assets';

const PUBLIC = join(__dirname, 'public');

/** Every identifier and node type in a parsed program, walked without a visitor library. */
function walk(node: unknown, seen: (n: { type?: string; value?: unknown }) => void): void {
  if (Array.isArray(node)) for (const n of node) walk(n, seen);
  else if (node && typeof node === 'object') {
    seen(node as { type?: string; value?: unknown });
    for (const v of Object.values(node)) walk(v, seen);
  }
}

describe(ConsoleAssets.name, () => {
  const assets = new ConsoleAssets();
  let built: string;
  beforeAll(async () => {
    built = await buildConsoleScript();
  });

  it('serves the build of console.ts as a classic browser script, without module code', async () => {
    const script = await assets.get('console.js');
    expect(script?.type).toMatch(/^text\/javascript/);
    const code = script!.body.toString('utf8');
    expect(code).toBe(built);
    // A classic <script>: import/export statements would not even parse here.
    expect(() => new Script(code, { filename: 'console.js' })).not.toThrow();
    const modular: string[] = [];
    // Plain JavaScript: a type left in would not parse.
    walk(parseSync(code, { syntax: 'ecmascript', target: 'es2022' }), (n) => {
      if (n.type === 'Identifier' && ['require', 'exports', 'module'].includes(n.value as string))
        modular.push(`identifier ${String(n.value)}`);
      if (n.type?.startsWith('Import') || n.type?.startsWith('Export')) modular.push(n.type);
    });
    expect(modular).toEqual([]);
    // The code is there: the stream, the token header, the charts, the controls.
    for (const needle of [
      "'/v1/console/events'",
      'authorization',
      'new uPlot(',
      "'#pause-form'",
      "'#override-form'",
      "'#clear-override-btn'",
    ])
      expect(code).toContain(needle);
  });

  it('finds in index.html every element the script looks up, and serves every file the page loads', async () => {
    const html = readFileSync(join(PUBLIC, 'index.html'), 'utf8');
    const code = (await assets.get('console.js'))!.body.toString('utf8');
    const ids = [...new Set([...code.matchAll(/\$\('#([\w-]+)/g)].map((m) => m[1]))];
    expect(ids.length).toBeGreaterThan(20);
    expect(ids.filter((id) => !html.includes(`id="${id}"`))).toEqual([]);
    const files = [...html.matchAll(/(?:src|href)="\/console\/([^"]+)"/g)].map((m) => m[1]);
    expect(files).toEqual(expect.arrayContaining(['console.js', 'uPlot.iife.min.js']));
    for (const file of files) expect([file, (await assets.get(file)) !== null]).toEqual([file, true]);
  });

  it('serves the files of the folder it is given, scripts as they are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-assets-'));
    writeFileSync(join(dir, 'console.js'), '"use strict";\n/* built */\n');
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    const dist = new ConsoleAssets(dir);
    expect((await dist.get('console.js'))?.body.toString()).toBe('"use strict";\n/* built */\n');
    expect((await dist.get('index.html'))?.type).toMatch(/^text\/html/);
    expect(await dist.get('other.js')).toBeNull();
    expect(await dist.get('console.js.map')).toBeNull();
  });

  it('never serves the TypeScript or its tsconfig', async () => {
    for (const name of ['console.ts', 'tsconfig.json', 'console.ts.js', '../console-assets.js'])
      expect([name, await assets.get(name)]).toEqual([name, null]);
  });
});
