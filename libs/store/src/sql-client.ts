import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';

/**
 * The one SQL dialect SmartScale speaks: PostgreSQL. Locally it is PGlite (Postgres compiled to
 * WebAssembly, in-process, nothing to install); in docker compose and clusters, a PostgreSQL server.
 */
export interface SqlClient {
  readonly kind: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Several statements at once, no parameters (migrations). */
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenSqlOptions {
  /** Told when a PGlite directory that could not be opened was renamed aside and a fresh one opened. */
  onMovedAside?: (dir: string, movedTo: string, reason: string) => void;
}

/**
 * `postgres://…` or `postgresql://…` opens a pool; `pglite:memory` an in-memory database;
 * `pglite:<dir>` a database stored in that directory (relative to `root`). A PGlite directory that
 * cannot be opened (torn by a crash, not a database) is renamed `<dir>.unreadable-<time>`, kept for
 * a person to look at, and a fresh one is opened: the history is a record, and the worker must still
 * boot and control. A directory in use by another live process is never moved.
 */
export async function openSql(url: string, root = process.cwd(), options: OpenSqlOptions = {}): Promise<SqlClient> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  const match = /^pglite:(.+)$/.exec(url);
  if (!match)
    throw new Error(`unsupported history URL "${url}": use postgres://user:pass@host:port/db, pglite:memory or pglite:<directory>`);
  if (match[1] === 'memory') return openPglite(null);
  const dir = resolve(root, match[1]);
  try {
    return await openPglite(dir);
  } catch (err) {
    if (err instanceof DirInUseError || !existsSync(dir)) throw err;
    const movedTo = `${dir}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dir, movedTo);
    options.onMovedAside?.(dir, movedTo, (err as Error).message);
    return openPglite(dir);
  }
}

class DirInUseError extends Error {}

async function openPostgres(url: string): Promise<SqlClient> {
  const pool = new Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000 });
  // Fail at boot with the server's own message rather than on the first write.
  await pool.query('select 1');
  return {
    kind: 'postgres',
    query: async <T>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as T[],
    exec: async (text) => {
      // One connection, so that a failed `begin; …; commit;` is rolled back on the connection it broke.
      const client = await pool.connect();
      try {
        await client.query(text);
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dir: string | null): Promise<SqlClient> {
  const release = dir ? lockDir(dir) : () => undefined;
  let db: PGlite;
  try {
    db = new PGlite(dir ?? undefined);
    await db.waitReady;
    await db.query('select 1');
  } catch (err) {
    release();
    throw err;
  }
  return {
    kind: 'pglite',
    query: async <T>(text: string, params: unknown[] = []) => (await db.query<T>(text, params)).rows,
    exec: async (text) => {
      try {
        await db.exec(text);
      } catch (err) {
        await db.exec('rollback').catch(() => undefined);
        throw err;
      }
    },
    close: async () => {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}

/**
 * PGlite is one process's database: two processes opening one directory would corrupt it. A pid file
 * refuses the second opener with a clear message; a pid file left by a killed process is taken over.
 */
function lockDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, 'smartscale.pid');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (pid !== process.pid && isAlive(pid)) {
      throw new DirInUseError(
        `history store ${dir} is in use by process ${pid}; stop it or set SMARTSCALE_HISTORY_URL to another pglite:<dir> or a postgres:// URL`,
      );
    }
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
