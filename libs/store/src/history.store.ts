import type { BatchMetric, Decision, WindowMetric } from '@smartscale/contracts';
import { migrate } from './migrations';
import { openSql, OpenSqlOptions, SqlClient } from './sql-client';

/** A time range in epoch ms (either end open) and a row cap; newest rows first. */
export interface TimeRange {
  from?: number;
  to?: number;
  limit?: number;
}

export interface WorkflowRef {
  workflowId: string;
  runId: string;
}

export type StoredDecision = Decision & { targetId: string } & WorkflowRef;

export const DEFAULT_LIMIT = 500;
export const MAX_LIMIT = 10_000;
/** Rows per INSERT: well under Postgres' 65,535 bind parameters at 14 columns a row. */
const ROWS_PER_INSERT = 1_000;

const ms = (column: string, as: string): string => `round(extract(epoch from ${column}) * 1000)::float8 as "${as}"`;
const ts = (param: number): string => `to_timestamp($${param}::float8 / 1000)`;

/** A column of an insert; epoch ms become `timestamptz`, arrays get their SQL type. */
type Column = string | { name: string; as: 'timestamptz' | 'integer[]' };

const placeholder = (c: Column, n: number): string =>
  typeof c === 'string' ? `$${n}` : c.as === 'timestamptz' ? ts(n) : `$${n}::integer[]`;
const timestamp = (name: string): Column => ({ name, as: 'timestamptz' });

const DECISION_COLUMNS: Column[] = [
  'target_id',
  'seq',
  timestamp('at'),
  'workflow_id',
  'run_id',
  'action',
  'from_replicas',
  'to_replicas',
  'applied',
  'reasons',
  'inputs',
];
const WINDOW_COLUMNS: Column[] = [
  'service',
  timestamp('window_start'),
  timestamp('window_end'),
  'partition',
  'count',
  'events_per_second',
  'error_count',
  'error_rate',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'consumer_lag',
  'count_by_type',
  timestamp('emitted_at'),
];
const BATCH_COLUMNS: Column[] = [
  'instance',
  timestamp('started_at'),
  timestamp('committed_at'),
  { name: 'partitions', as: 'integer[]' },
  'records',
  'bytes',
  'fetch_wait_ms',
  'processing_ms',
  'commit_ms',
  'lag_before',
  'lag_after',
  'settings',
];

/**
 * The decision and window-metrics history, queryable by target or service and time. Writes are
 * idempotent (a retried activity or a replayed topic inserts nothing twice).
 */
export class HistoryStore {
  private constructor(readonly sql: SqlClient) {}

  static async open(url: string, root?: string, options?: OpenSqlOptions): Promise<HistoryStore> {
    const sql = await openSql(url, root, options);
    try {
      await migrate(sql);
    } catch (err) {
      await sql.close();
      throw err;
    }
    return new HistoryStore(sql);
  }

  async recordDecision(targetId: string, ref: WorkflowRef, d: Decision): Promise<void> {
    await this.insertMany('decisions', DECISION_COLUMNS, [d], () => [
      targetId,
      d.seq,
      d.at,
      ref.workflowId,
      ref.runId,
      d.action,
      d.from,
      d.to,
      d.applied,
      JSON.stringify(d.reasons),
      JSON.stringify(d.inputs),
    ]);
  }

  recordWindows(windows: readonly WindowMetric[]): Promise<void> {
    return this.insertMany('window_metrics', WINDOW_COLUMNS, windows, (w) => [
      w.service,
      w.windowStart,
      w.windowEnd,
      w.partition,
      w.count,
      w.eventsPerSecond,
      w.errorCount,
      w.errorRate,
      w.latencyP50,
      w.latencyP95,
      w.latencyP99,
      w.consumerLag,
      JSON.stringify(w.countByType),
      w.emittedAt,
    ]);
  }

  recordBatches(batches: readonly BatchMetric[]): Promise<void> {
    return this.insertMany('batch_metrics', BATCH_COLUMNS, batches, (b) => [
      b.instance,
      b.startedAt,
      b.committedAt,
      b.partitions,
      b.records,
      b.bytes,
      b.fetchWaitMs,
      b.processingMs,
      b.commitMs,
      b.lagBefore,
      b.lagAfter,
      JSON.stringify(b.settings),
    ]);
  }

  /** When the newest stored window was emitted (epoch ms), or null with none stored. */
  async latestWindowEmittedAt(): Promise<number | null> {
    const [row] = await this.sql.query<{ at: number | null }>(`select ${ms('max(emitted_at)', 'at')} from window_metrics`);
    return row?.at === null || row?.at === undefined ? null : Number(row.at);
  }

  /** Micro-batches by time, newest first; of one aggregator process, or of all. */
  async batches(instance: string | null, range: TimeRange = {}): Promise<BatchMetric[]> {
    const { where, params } = timeFilter('committed_at', range, instance === null ? [] : [instance]);
    const rows = await this.sql.query<Record<string, unknown>>(
      `select instance, ${ms('started_at', 'startedAt')}, ${ms('committed_at', 'committedAt')}, partitions, records, bytes::float8 as bytes, fetch_wait_ms,
         processing_ms, commit_ms, lag_before::float8 as lag_before, lag_after::float8 as lag_after, settings
       from batch_metrics where ${instance === null ? 'true' : 'instance = $1'} ${where} order by committed_at desc limit ${limitOf(range)}`,
      params,
    );
    return rows.map((r) => ({
      v: 1,
      instance: String(r.instance),
      partitions: (r.partitions as number[]).map(Number),
      records: Number(r.records),
      bytes: Number(r.bytes),
      fetchWaitMs: Number(r.fetch_wait_ms),
      processingMs: Number(r.processing_ms),
      commitMs: Number(r.commit_ms),
      lagBefore: Number(r.lag_before),
      lagAfter: Number(r.lag_after),
      settings: r.settings as BatchMetric['settings'],
      startedAt: Number(r.startedAt),
      committedAt: Number(r.committedAt),
    }));
  }

  async decisions(targetId: string, range: TimeRange = {}): Promise<StoredDecision[]> {
    const { where, params } = timeFilter('at', range, [targetId]);
    const rows = await this.sql.query<Record<string, unknown>>(
      `select target_id, seq, ${ms('at', 'at')}, workflow_id, run_id, action, from_replicas, to_replicas, applied, reasons, inputs
       from decisions where target_id = $1 ${where} order by at desc, seq desc limit ${limitOf(range)}`,
      params,
    );
    return rows.map((r) => ({
      targetId: String(r.target_id),
      workflowId: String(r.workflow_id),
      runId: String(r.run_id),
      seq: Number(r.seq),
      at: Number(r.at),
      action: r.action as Decision['action'],
      from: Number(r.from_replicas),
      to: Number(r.to_replicas),
      applied: Boolean(r.applied),
      reasons: r.reasons as Decision['reasons'],
      inputs: r.inputs as Decision['inputs'],
    }));
  }

  async windows(service: string, range: TimeRange = {}): Promise<WindowMetric[]> {
    const { where, params } = timeFilter('window_end', range, [service]);
    const rows = await this.sql.query<Record<string, unknown>>(
      `select service, ${ms('window_start', 'windowStart')}, ${ms('window_end', 'windowEnd')}, partition, count, events_per_second, error_count,
         error_rate, latency_p50, latency_p95, latency_p99, consumer_lag::float8 as consumer_lag, count_by_type, ${ms('emitted_at', 'emittedAt')}
       from window_metrics where service = $1 ${where} order by window_end desc limit ${limitOf(range)}`,
      params,
    );
    const num = (v: unknown) => (v === null ? null : Number(v));
    return rows.map((r) => ({
      v: 1,
      service: String(r.service),
      windowStart: Number(r.windowStart),
      windowEnd: Number(r.windowEnd),
      partition: Number(r.partition),
      count: Number(r.count),
      eventsPerSecond: Number(r.events_per_second),
      errorCount: Number(r.error_count),
      errorRate: Number(r.error_rate),
      latencyP50: num(r.latency_p50),
      latencyP95: num(r.latency_p95),
      latencyP99: num(r.latency_p99),
      consumerLag: Number(r.consumer_lag),
      countByType: r.count_by_type as Record<string, number>,
      emittedAt: Number(r.emittedAt),
    }));
  }

  /** Deletes rows older than the cutoff (epoch ms); returns how many went. */
  async prune(olderThan: number): Promise<{ decisions: number; windows: number; batches: number }> {
    const [d] = await this.sql.query<{ n: number }>(
      `with gone as (delete from decisions where at < ${ts(1)} returning 1) select count(*)::int as n from gone`,
      [olderThan],
    );
    const [w] = await this.sql.query<{ n: number }>(
      `with gone as (delete from window_metrics where window_end < ${ts(1)} returning 1) select count(*)::int as n from gone`,
      [olderThan],
    );
    const [b] = await this.sql.query<{ n: number }>(
      `with gone as (delete from batch_metrics where committed_at < ${ts(1)} returning 1) select count(*)::int as n from gone`,
      [olderThan],
    );
    return { decisions: Number(d?.n ?? 0), windows: Number(w?.n ?? 0), batches: Number(b?.n ?? 0) };
  }

  close(): Promise<void> {
    return this.sql.close();
  }

  /** Multi-row inserts in chunks; a row that is already there (a retry, a replayed topic) is skipped. */
  private async insertMany<T>(table: string, columns: Column[], rows: readonly T[], values: (row: T) => unknown[]): Promise<void> {
    const names = columns.map((c) => (typeof c === 'string' ? c : c.name)).join(', ');
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const params: unknown[] = [];
      const tuples = rows.slice(i, i + ROWS_PER_INSERT).map((row) => {
        const first = params.length + 1;
        params.push(...values(row));
        return `(${columns.map((c, k) => placeholder(c, first + k)).join(', ')})`;
      });
      await this.sql.query(`insert into ${table} (${names}) values ${tuples.join(', ')} on conflict do nothing`, params);
    }
  }
}

function limitOf(range: TimeRange): number {
  const limit = range.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RangeError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  return limit;
}

function timeFilter(column: string, range: TimeRange, params: unknown[]): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  if (range.from !== undefined) {
    params.push(range.from);
    clauses.push(`and ${column} >= ${ts(params.length)}`);
  }
  if (range.to !== undefined) {
    params.push(range.to);
    clauses.push(`and ${column} < ${ts(params.length)}`);
  }
  return { where: clauses.join(' '), params };
}
