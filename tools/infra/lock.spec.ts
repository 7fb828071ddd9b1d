import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockIsStale, tryLock, withLock } from './lock';

describe('infra lock', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'smartscale-lock-'));
    file = join(dir, 'infra.lock');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken once: a second taker waits while the owner lives', () => {
    const alive = () => true;
    expect(tryLock(file, 111, alive)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('111\n');
    expect(tryLock(file, 222, alive)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('111\n');
  });

  it('is taken over when its owner died (removed on one attempt, taken on the next)', () => {
    writeFileSync(file, '111\n');
    const alive = (pid: number) => pid !== 111;
    expect(lockIsStale(file, alive)).toBe(true);
    expect(tryLock(file, 222, alive)).toBe(false);
    expect(tryLock(file, 222, alive)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('222\n');
  });

  it('treats an empty lock file as its owner starting up for 10 s, then as abandoned', () => {
    writeFileSync(file, '');
    expect(lockIsStale(file, () => false)).toBe(false);
    const old = (Date.now() - 11_000) / 1000;
    utimesSync(file, old, old);
    expect(lockIsStale(file, () => false)).toBe(true);
  });

  it('is released after the work, also when the work fails', async () => {
    await expect(withLock('test', async () => 42, file)).resolves.toBe(42);
    expect(tryLock(file, 1, () => true)).toBe(true);
    rmSync(file);
    await expect(withLock('test', () => Promise.reject(new Error('boom')), file)).rejects.toThrow('boom');
    expect(tryLock(file, 1, () => true)).toBe(true);
  });

  it('lets a second holder in only after the first released it', async () => {
    const order: string[] = [];
    let release!: () => void;
    const first = withLock(
      'first',
      () => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('first done')),
      file,
    );
    const second = withLock('second', async () => void order.push('second ran'), file);
    await new Promise((r) => setTimeout(r, 300));
    expect(order).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first done', 'second ran']);
  });
});
