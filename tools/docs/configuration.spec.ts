import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { APPS, COMMAND, defaultOf, DOC_PATH, renderConfiguration, repoRoot } from './configuration';

const root = repoRoot();

describe('docs/configuration.md', () => {
  it('is what the generator makes from the config schemas now', () => {
    const committed = readFileSync(join(root, DOC_PATH), 'utf8');
    const generated = renderConfiguration(root);
    if (committed !== generated) throw new Error(`${DOC_PATH} is out of date with the config schemas: run \`${COMMAND}\` and commit it`);
  });

  it('lists every SMARTSCALE_* key of every app schema', () => {
    const page = renderConfiguration(root);
    const keys = APPS.flatMap((a) => Object.keys(a.shape)).filter((k) => k.startsWith('SMARTSCALE_'));
    expect(keys.length).toBeGreaterThan(100);
    expect(keys.filter((k) => !page.includes(`| \`${k}\` |`))).toEqual([]);
  });
});

describe(defaultOf.name, () => {
  it('shows the raw string of a transformed default, "unset" for optional keys and the value otherwise', () => {
    expect(
      defaultOf(
        z
          .string()
          .default('a:1,b:2')
          .transform((s) => s.split(',')),
      ),
    ).toBe('a:1,b:2');
    expect(
      defaultOf(
        z
          .string()
          .default('1,2')
          .transform((s) => s.split(',').map(Number))
          .pipe(z.array(z.number())),
      ),
    ).toBe('1,2');
    expect(
      defaultOf(
        z
          .string()
          .min(1)
          .transform((s) => s.length)
          .optional(),
      ),
    ).toBe('unset');
    expect(defaultOf(z.coerce.number().int().default(3000))).toBe('3000');
    expect(defaultOf(z.stringbool().default(false))).toBe('false');
    expect(defaultOf(z.string())).toBe('required');
  });
});
