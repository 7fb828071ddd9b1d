import { z } from 'zod';

/**
 * One micro-batch of one aggregator process: what it read, how long each stage took, the consumer lag
 * before and after, and the batch settings in force. Published to the batches topic off the hot path
 * and stored in SQL by the worker (table batch_metrics), queryable by process and time.
 */
export interface BatchMetric {
  v: 1;
  /** The aggregator process (its instance name). */
  instance: string;
  partitions: number[];
  records: number;
  bytes: number;
  /** Time the process waited for this batch's data (since it finished the previous one). */
  fetchWaitMs: number;
  processingMs: number;
  commitMs: number;
  lagBefore: number;
  lagAfter: number;
  settings: BatchSettings;
  startedAt: number;
  committedAt: number;
}

export interface BatchSettings {
  /** How long processed steps may wait before they are committed in one transaction. */
  commitIntervalMs: number;
  /** Records handed to the windows per step at most (bounds one step's processing time). */
  maxBatchRecords: number;
  mode: 'fixed' | 'adaptive';
}

export const BatchMetricSchema = z.object({
  v: z.literal(1),
  instance: z.string().min(1),
  partitions: z.array(z.number().int().nonnegative()),
  records: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  fetchWaitMs: z.number().nonnegative(),
  processingMs: z.number().nonnegative(),
  commitMs: z.number().nonnegative(),
  lagBefore: z.number().int().nonnegative(),
  lagAfter: z.number().int().nonnegative(),
  settings: z.object({
    commitIntervalMs: z.number().nonnegative(),
    maxBatchRecords: z.number().int().positive(),
    mode: z.enum(['fixed', 'adaptive']),
  }),
  startedAt: z.number().int(),
  committedAt: z.number().int(),
});
