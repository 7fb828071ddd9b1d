import type { SqlClient } from './sql-client';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Append only: a released migration is never edited, a change is a new version. Times are
 * `timestamptz` so that people can query them in SQL directly (`where at > now() - interval '1 hour'`).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'decisions',
    sql: `
      create table decisions (
        target_id     text        not null,
        seq           integer     not null,
        at            timestamptz not null,
        workflow_id   text        not null,
        run_id        text        not null,
        action        text        not null check (action in ('up', 'down', 'hold')),
        from_replicas integer     not null,
        to_replicas   integer     not null,
        applied       boolean     not null,
        reasons       jsonb       not null,
        inputs        jsonb       not null,
        -- seq restarts when a workflow is started afresh; at (workflow time) tells the two apart, and a
        -- retried record activity carries the same pair, so recording is idempotent.
        primary key (target_id, at, seq)
      );
      create index decisions_by_target_time on decisions (target_id, at desc);`,
  },
  {
    version: 2,
    name: 'window_metrics',
    sql: `
      create table window_metrics (
        service           text        not null,
        window_start      timestamptz not null,
        window_end        timestamptz not null,
        partition         integer     not null,
        count             integer     not null,
        events_per_second double precision not null,
        error_count       integer     not null,
        error_rate        double precision not null,
        latency_p50       double precision,
        latency_p95       double precision,
        latency_p99       double precision,
        consumer_lag      bigint      not null,
        count_by_type     jsonb       not null,
        emitted_at        timestamptz not null,
        primary key (service, window_start, window_end)
      );
      create index window_metrics_by_end on window_metrics (window_end);`,
  },
  {
    version: 3,
    name: 'batch_metrics',
    sql: `
      create table batch_metrics (
        instance      text        not null,
        started_at    timestamptz not null,
        committed_at  timestamptz not null,
        partitions    integer[]   not null,
        records       integer     not null,
        bytes         bigint      not null,
        fetch_wait_ms double precision not null,
        processing_ms double precision not null,
        commit_ms     double precision not null,
        lag_before    bigint      not null,
        lag_after     bigint      not null,
        settings      jsonb       not null,
        -- one process commits one batch at a time: a replayed topic inserts nothing twice
        primary key (instance, committed_at, partitions)
      );
      create index batch_metrics_by_time on batch_metrics (committed_at);`,
  },
];

/** Applies what is missing, each migration in its own transaction, and returns the versions applied. */
export async function migrate(sql: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await sql.exec(`create table if not exists smartscale_migrations (
    version integer primary key, name text not null, applied_at timestamptz not null default now())`);
  const done = new Set((await sql.query<{ version: number }>('select version from smartscale_migrations')).map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    // One statement string, so the transaction holds on a pool as well as on PGlite's single connection.
    await sql.exec(
      `begin; ${m.sql}; insert into smartscale_migrations (version, name) values (${m.version}, '${m.name.replace(/'/g, "''")}'); commit;`,
    );
    applied.push(m.version);
  }
  return applied;
}
