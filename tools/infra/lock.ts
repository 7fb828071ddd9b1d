import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { paths } from './paths';
import { isAlive } from './process';
import { logger, readText, waitFor } from './util';

/*
 * Two `up`s at once (two terminals, or test setups in parallel) would start two brokers on one data dir
 * and overwrite each other's pid files; two installs would share one Maven repository. So install, up and
 * stop run one at a time per checkout, through an O_EXCL lock file holding the owner's pid.
 */

const log = logger('infra');
export const LOCK_FILE = join(paths.run, 'infra.lock');
/** An empty lock file (its owner between create and write) counts as abandoned only after this long. */
const EMPTY_LOCK_GRACE_MS = 10_000;

/** Stale = its owner is dead; an empty file only after EMPTY_LOCK_GRACE_MS. */
export function lockIsStale(file: string, alive: (pid: number) => boolean = isAlive, now = Date.now()): boolean {
  try {
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0) return !alive(owner);
    return now - statSync(file).mtimeMs > EMPTY_LOCK_GRACE_MS;
  } catch {
    return false; // released meanwhile
  }
}

/** Takes the lock if free (or abandoned: that file is removed, and the next attempt takes it). */
export function tryLock(file: string, pid = process.pid, alive: (pid: number) => boolean = isAlive): boolean {
  try {
    writeFileSync(file, `${pid}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (lockIsStale(file, alive)) rmSync(file, { force: true }); // left by a crashed run; retry next poll
    return false;
  }
}

/** Runs fn holding the lock; waits up to 5 minutes for another holder. */
export async function withLock<T>(what: string, fn: () => Promise<T>, file = LOCK_FILE): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  if (!tryLock(file)) {
    log(`${what}: waiting for another infra command (pid ${readText(file)}) to finish ...`);
    await waitFor(() => tryLock(file), { timeoutMs: 300_000, intervalMs: 200, what: `the lock ${relative(paths.repo, file)}` });
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
