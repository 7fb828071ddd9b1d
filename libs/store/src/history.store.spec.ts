import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { BatchMetric, Decision, WindowMetric } from '@smartscale/contracts';
import { windowMetric } from '@smartscale/testing';
import { HistoryStore } from './history.store';
import { migrate } from './migrations';
import { openSql } from './sql-client';

jest.setTimeout(60_000);

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0, 123);

const decision = (seq: number, at: number, over: Partial<Decision> = {}): Decision => ({
  seq,
  at,
  action: 'up',
  from: 1,
  to: 3,
  applied: true,
  reasons: [{ code: 'forecast', message: 'forecast peak 120 ev/s needs 3' }],
  inputs: {
    observedEventsPerSecond: 80,
    observedWindowEnd: at - 1_000,
    forecastPeakEventsPerSecond: 120,
    forecastUsed: true,
    anomalyScore: 0.1,
    consumerLag: 7,
  },
  ...over,
});

const windowAt = (service: string, i: number, over: Partial<WindowMetric> = {}): WindowMetric =>
  windowMetric(T0 + (i + 1) * 10_000, {
    service,
    count: 100 + i,
    eventsPerSecond: (100 + i) / 10,
    errorCount: 1,
    errorRate: 1 / (100 + i),
    countByType: { request: 99 + i, error: 1 },
    latencyP50: 12.5,
    latencyP95: 40,
    consumerLag: 3,
    partition: 2,
    emittedAt: T0 + (i + 1) * 10_000 + 600,
    ...over,
  });

const ref = { workflowId: 'scaler/checkout', runId: 'run-1' };

// The same assertions through both drivers: PGlite in-process, and node-postgres over the Postgres
// wire protocol (to a PGlite socket server, so that the pool path is tested without a Postgres install).
describe.each(['pglite', 'postgres'] as const)('HistoryStore over %s', (driver) => {
  let store: HistoryStore;
  let server: PGLiteSocketServer | null = null;
  let backing: PGlite | null = null;

  beforeAll(async () => {
    if (driver === 'pglite') {
      store = await HistoryStore.open('pglite:memory');
    } else {
      backing = new PGlite();
      server = new PGLiteSocketServer({ db: backing, port: 0, host: '127.0.0.1' });
      await server.start();
      store = await HistoryStore.open(`postgres://postgres@${server.getServerConn()}/postgres`);
    }
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
    await backing?.close();
  });

  it('migrates once and records the versions', async () => {
    expect(store.sql.kind).toBe(driver);
    expect(await migrate(store.sql)).toEqual([]);
    const versions = await store.sql.query<{ version: number }>('select version from smartscale_migrations order by version');
    expect(versions.map((v) => Number(v.version))).toEqual([1, 2, 3]);
  });

  it('records decisions idempotently and reads them back by target and time, newest first', async () => {
    for (let seq = 1; seq <= 5; seq++) await store.recordDecision('checkout', ref, decision(seq, T0 + seq * 5_000));
    await store.recordDecision('checkout', ref, decision(3, T0 + 15_000, { to: 99 })); // a retried record activity
    await store.recordDecision('other', ref, decision(1, T0 + 5_000));
    // A workflow started afresh restarts seq at 1: a different time, so a different row.
    await store.recordDecision('checkout', { ...ref, runId: 'run-2' }, decision(1, T0 + 60_000, { action: 'down', from: 3, to: 2 }));

    const all = await store.decisions('checkout');
    expect(all.map((d) => [d.seq, d.at])).toEqual([
      [1, T0 + 60_000],
      [5, T0 + 25_000],
      [4, T0 + 20_000],
      [3, T0 + 15_000],
      [2, T0 + 10_000],
      [1, T0 + 5_000],
    ]);
    expect(all.find((d) => d.seq === 3)?.to).toBe(3);
    expect(all[0]).toMatchObject({ targetId: 'checkout', runId: 'run-2', action: 'down', from: 3, to: 2, applied: true });
    expect(all[1].reasons).toEqual(decision(5, 0).reasons);
    expect(all[1].inputs).toEqual(decision(5, T0 + 25_000).inputs);

    const range = await store.decisions('checkout', { from: T0 + 10_000, to: T0 + 25_000 });
    expect(range.map((d) => d.seq)).toEqual([4, 3, 2]);
    expect((await store.decisions('checkout', { limit: 2 })).map((d) => d.seq)).toEqual([1, 5]);
    await expect(store.decisions('checkout', { limit: 0 })).rejects.toThrow(/limit must be/);
  });

  it('records windows in chunks, idempotently, keeping nulls and per-type counts', async () => {
    const many = Array.from({ length: 2_345 }, (_, i) => windowAt('cart', i));
    await store.recordWindows(many);
    await store.recordWindows(many.slice(0, 10)); // the metrics topic replayed
    const [{ n }] = await store.sql.query<{ n: number }>(`select count(*)::int as n from window_metrics where service = 'cart'`);
    expect(Number(n)).toBe(2_345);

    const recent = await store.windows('cart', { from: T0 + 2_000 * 10_000, limit: 1_000 });
    expect(recent).toHaveLength(2_345 - 1_999);
    expect(recent[0]).toEqual(many[2_344]);
    expect(recent.at(-1)).toEqual(many[1_999]);
    expect(await store.windows('nobody')).toEqual([]);
    expect(await store.latestWindowEmittedAt()).toBe(many[2_344].emittedAt);
  });

  it('records micro-batches idempotently and reads them by process and time', async () => {
    const batch = (instance: string, i: number): BatchMetric => ({
      v: 1,
      instance,
      partitions: [i % 3, 5],
      records: 1_000 + i,
      bytes: 150_000 + i,
      fetchWaitMs: 2.5,
      processingMs: 11.25,
      commitMs: 7,
      lagBefore: 900,
      lagAfter: 12,
      settings: { commitIntervalMs: 100, maxBatchRecords: 5_000, mode: 'adaptive' },
      startedAt: T0 + i * 100,
      committedAt: T0 + i * 100 + 20,
    });
    const rows = [...Array.from({ length: 30 }, (_, i) => batch('agg-0', i)), ...Array.from({ length: 5 }, (_, i) => batch('agg-1', i))];
    await store.recordBatches(rows);
    await store.recordBatches(rows.slice(0, 3)); // the batches topic replayed
    expect(await store.batches('agg-0', { limit: 1 })).toEqual([rows[29]]);
    expect(await store.batches('agg-0', { from: T0 + 1_000, to: T0 + 1_500 })).toEqual([rows[14], rows[13], rows[12], rows[11], rows[10]]);
    expect(await store.batches(null)).toHaveLength(35);
  });

  it('prunes rows older than the retention cutoff', async () => {
    await store.recordWindows([windowAt('old', -1_000_000), windowAt('old', 0)]);
    await store.recordDecision('old', ref, decision(1, T0 - 86_400_000));
    const gone = await store.prune(T0 - 1_000);
    expect(gone.decisions).toBe(1);
    expect(gone.windows).toBeGreaterThanOrEqual(1);
    expect((await store.windows('old')).map((w) => w.windowStart)).toEqual([T0]);
  });
});

describe('openSql', () => {
  it('refuses a PGlite directory held by another live process and takes over a dead one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smartscale-store-'));
    writeFileSync(join(dir, 'smartscale.pid'), String(process.ppid));
    await expect(openSql(`pglite:${dir}`)).rejects.toThrow(`in use by process ${process.ppid}`);

    writeFileSync(join(dir, 'smartscale.pid'), '999999999');
    const sql = await openSql(`pglite:${dir}`);
    await sql.exec('create table t (x int); insert into t values (42)');
    await sql.close();
    const again = await openSql(`pglite:${dir}`);
    expect(await again.query('select x from t')).toEqual([{ x: 42 }]);
    await again.close();
  });

  it('moves a PGlite directory that cannot be opened aside (kept, timestamped, reported) and opens a fresh one', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'smartscale-store-'));
    const dir = join(parent, 'history');
    mkdirSync(dir);
    writeFileSync(join(dir, 'PG_VERSION'), 'torn by a crash');
    const moved: string[][] = [];
    const store = await HistoryStore.open(`pglite:${dir}`, undefined, {
      onMovedAside: (from, to, reason) => moved.push([from, to, reason]),
    });
    await store.recordDecision('checkout', ref, decision(1, T0));
    expect((await store.decisions('checkout', { from: T0 - 1, to: T0 + 1 })).map((d) => d.seq)).toEqual([1]);
    await store.sql.close();
    expect(moved).toEqual([[dir, expect.stringMatching(/history\.unreadable-\d{4}-\d\d-\d\dT/), expect.any(String)]]);
    expect(readFileSync(join(moved[0][1], 'PG_VERSION'), 'utf8')).toBe('torn by a crash');
    expect(readdirSync(parent).sort()).toEqual(['history', moved[0][1].split('/').pop()]);
    expect(existsSync(join(dir, 'smartscale.pid'))).toBe(false);
  });

  it('rolls back a failed migration as a whole and names unsupported URLs', async () => {
    const sql = await openSql('pglite:memory');
    await expect(migrate(sql, [{ version: 1, name: 'broken', sql: 'create table a (x int); select * from nowhere' }])).rejects.toThrow(
      /nowhere/,
    );
    expect(await sql.query(`select to_regclass('a') as t`)).toEqual([{ t: null }]);
    expect(await sql.query('select count(*)::int as n from smartscale_migrations')).toEqual([{ n: 0 }]);
    await sql.close();
    await expect(openSql('mysql://x')).rejects.toThrow(/unsupported history URL/);
  });
});
