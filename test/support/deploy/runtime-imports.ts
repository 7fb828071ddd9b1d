import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '@smartscale/testing';

/** The source folders whose compiled output is what the production image runs. */
export const RUNTIME_ROOTS = ['apps', 'libs', 'workflows/src'];

/** Source files that never enter the image: specs, and test support (libs/testing, any `testing/` folder). */
const isTestSupport = (rel: string): boolean =>
  rel.endsWith('.spec.ts') || rel.startsWith('libs/testing/') || rel.split('/').includes('testing');

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** The runtime source files, relative to the repository root. */
export function runtimeSources(): string[] {
  return RUNTIME_ROOTS.flatMap((root) => walk(join(REPO_ROOT, root), []))
    .map((file) => relative(REPO_ROOT, file))
    .filter((rel) => !isTestSupport(rel))
    .sort();
}

/** `@scope/name/deep/path` → `@scope/name`, `name/deep` → `name`. */
export const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * The packages a source file loads at run time: static and dynamic imports, `require`, `require.resolve`
 * and side-effect imports; type-only imports are erased by the compiler and do not count.
 */
export function packagesImportedBy(source: string): string[] {
  const found = new Set<string>();
  const code = source.replace(/^\s*import\s+type\s[^;]*;/gm, '').replace(/^\s*export\s+type\s[^;]*;/gm, '');
  for (const m of code.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|\brequire(?:\.resolve)?\s*\(\s*)['"]([^'"]+)['"]/g)) {
    const specifier = m[1];
    if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('@smartscale/')) continue;
    found.add(packageOf(specifier));
  }
  return [...found].sort();
}

/** Package → the runtime files that load it. */
export function runtimeImports(): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  for (const rel of runtimeSources()) {
    for (const pkg of packagesImportedBy(readFileSync(join(REPO_ROOT, rel), 'utf8'))) uses.set(pkg, [...(uses.get(pkg) ?? []), rel]);
  }
  return uses;
}
