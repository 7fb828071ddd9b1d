import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot, waitFor } from './util';

describe(repoRoot.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'smartscale-root-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is this checkout from the sources', () => {
    expect(repoRoot()).toBe(resolve(__dirname, '..', '..'));
  });

  it('walks up past other package.json files to the one named smartscale, at any depth (dist/tools/infra too)', () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'smartscale' }));
    mkdirSync(join(dir, 'dist', 'tools', 'infra'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'package.json'), JSON.stringify({ name: 'something-else' }));
    expect(repoRoot(join(dir, 'dist', 'tools', 'infra'))).toBe(dir);
  });

  it('says so when there is no checkout above', () => {
    expect(() => repoRoot(dir)).toThrow(`no package.json named "smartscale" above ${dir}`);
  });
});

describe(waitFor.name, () => {
  it('returns the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? `after ${n}` : null), { intervalMs: 1 })).resolves.toBe('after 3');
  });

  it('times out naming what it waited for and the last error', async () => {
    const check = () => {
      throw new Error('connection refused');
    };
    await expect(waitFor(check, { timeoutMs: 50, intervalMs: 10, what: 'the broker' })).rejects.toThrow(
      'timed out after 0.05s waiting for the broker (last error: connection refused)',
    );
  });

  it('gives up at once when abort names a reason', async () => {
    const t0 = Date.now();
    await expect(waitFor(() => false, { timeoutMs: 10_000, what: 'kafka', abort: () => 'its process exited' })).rejects.toThrow(
      'gave up waiting for kafka: its process exited',
    );
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
