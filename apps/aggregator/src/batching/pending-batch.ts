import type { BatchMetric, BatchSettings } from '@smartscale/contracts';
import type { StepOutput } from '../windows/windows.service';

/** What one processing step of one partition read and cost; null for an idle tick's step (no records). */
export interface StepStats {
  records: number;
  bytes: number;
  fetchWaitMs: number;
  processingMs: number;
  lagBefore: number;
  lagAfter: number;
}

/** The steps of one partition processed since its last commit, merged: committed as one transaction, recorded as one batch. */
export interface PendingBatch {
  out: StepOutput;
  /** Wall-clock ms when the first step ran: the commit interval counts from it. */
  since: number;
  stats: StepStats;
}

/**
 * Adds a step to the partition's pending batch (or starts one). Lag before is the first step's, lag
 * after the last one's; an idle tick's step carries the lag last seen on the partition.
 */
export function mergeStep(
  entry: PendingBatch | undefined,
  out: StepOutput,
  stats: StepStats | null,
  now: number,
  lastLag: number,
): PendingBatch {
  const s = stats ?? { records: 0, bytes: 0, fetchWaitMs: 0, processingMs: 0, lagBefore: lastLag, lagAfter: lastLag };
  if (!entry) return { out, since: now, stats: { ...s } };
  entry.out.metrics.push(...out.metrics);
  entry.out.deadLetters.push(...out.deadLetters);
  entry.out.commit = out.commit ?? entry.out.commit;
  entry.out.late += out.late;
  entry.out.refused += out.refused;
  entry.out.ahead += out.ahead;
  entry.out.servicesEvicted += out.servicesEvicted;
  const t = entry.stats;
  t.records += s.records;
  t.bytes += s.bytes;
  t.fetchWaitMs += s.fetchWaitMs;
  t.processingMs += s.processingMs;
  if (stats) t.lagAfter = s.lagAfter;
  return entry;
}

/** The record of one committed transaction (BatchMetric, libs/contracts). */
export function toBatchMetric(
  entry: PendingBatch,
  instance: string,
  settings: BatchSettings,
  commitMs: number,
  committedAt: number,
): BatchMetric {
  const { stats } = entry;
  return {
    v: 1,
    instance,
    partitions: [entry.out.partition],
    records: stats.records,
    bytes: stats.bytes,
    fetchWaitMs: round(stats.fetchWaitMs),
    processingMs: round(stats.processingMs),
    commitMs: round(commitMs),
    lagBefore: stats.lagBefore,
    lagAfter: stats.lagAfter,
    settings,
    startedAt: entry.since,
    committedAt,
  };
}

const round = (ms: number): number => Math.round(Math.max(0, ms) * 1000) / 1000;
