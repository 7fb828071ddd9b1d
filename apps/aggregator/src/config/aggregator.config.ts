import { z } from 'zod';
import { CONSUMER_GROUPS, EVENT_LIMITS, TOPICS } from '@smartscale/contracts';
import { durationMs, kafkaEnv, KafkaSecurity, kafkaSecurity, loadEnv, port, windowEnv } from '@smartscale/config';
import { CommitPacerOptions, BatchKnobs, clampKnobs } from '@smartscale/windowing';

export const AGGREGATOR_CONFIG = Symbol('AGGREGATOR_CONFIG');

/** The environment this app reads (docs/configuration.md is generated from it: npm run docs:config). */
export const AGGREGATOR_ENV_SHAPE = {
  ...kafkaEnv,
  ...windowEnv,
  SMARTSCALE_AGGREGATOR_GROUP: z.string().default(CONSUMER_GROUPS.aggregator),
  SMARTSCALE_AGGREGATOR_INSTANCE: z.string().default(`aggregator-${process.pid}`),
  SMARTSCALE_PARTITION_IDLE_MS: durationMs(5_000),
  /**
   * A service with no event for this long (event time) gets no more zero-count windows and its state is
   * forgotten (counted in smartscale_aggregator_services_evicted_total): invented service names cannot
   * make the aggregator emit windows or hold memory for ever.
   */
  SMARTSCALE_SERVICE_IDLE_MS: durationMs(300_000),
  /**
   * Events dated further ahead of the aggregator's clock are dead-lettered and counted
   * (smartscale_aggregator_refused_events_total). Ingest refuses them first with the same default bound;
   * this one catches what reached the topic another way or through a skewed ingest clock.
   */
  SMARTSCALE_AGGREGATOR_MAX_FUTURE_MS: durationMs(EVENT_LIMITS.maxFutureSkewMs),
  /**
   * How far stream time may run ahead of the aggregator's clock, at most SMARTSCALE_GRACE_MS. Events dated
   * further ahead (up to the bound above) count in their window but wait for the clock: one client's
   * event dated ahead cannot close the windows of the other services of its partition.
   */
  SMARTSCALE_AGGREGATOR_MAX_STREAM_LEAD_MS: z.coerce.number().int().nonnegative().default(0),
  // Hopping windows beside the tumbling ones (docs/design/windows.md); 0 turns them off.
  SMARTSCALE_HOPPING_WINDOW_MS: z.coerce.number().int().nonnegative().default(60_000),
  SMARTSCALE_HOPPING_ADVANCE_MS: durationMs(10_000),
  // Overridable so that integration tests and benchmarks get topics of their own on a shared broker.
  SMARTSCALE_AGGREGATOR_EVENTS_TOPIC: z.string().min(1).default(TOPICS.events),
  SMARTSCALE_AGGREGATOR_METRICS_TOPIC: z.string().min(1).default(TOPICS.metrics),
  SMARTSCALE_AGGREGATOR_DEAD_LETTER_TOPIC: z.string().min(1).default(TOPICS.deadLetter),
  // Off by default: the local scaler runs N replicas on one host, which would fight over one port.
  // Containers and pods (one replica each) set it so that Prometheus can scrape /metrics.
  SMARTSCALE_AGGREGATOR_METRICS_HOST: z.string().default('127.0.0.1'),
  SMARTSCALE_AGGREGATOR_METRICS_PORT: port(0),
  SMARTSCALE_AGGREGATOR_BATCHES_TOPIC: z.string().min(1).default(TOPICS.batches),
  // Micro-batching (docs/design/micro-batching.md): fixed settings, or the AIMD controller
  // starting from them and kept inside the bounds.
  SMARTSCALE_BATCH_MODE: z.enum(['adaptive', 'fixed']).default('adaptive'),
  SMARTSCALE_COMMIT_INTERVAL_MS: durationMs(100),
  SMARTSCALE_BATCH_MIN_INTERVAL_MS: durationMs(20),
  SMARTSCALE_BATCH_MAX_INTERVAL_MS: durationMs(1_000),
  SMARTSCALE_BATCH_RECORDS: z.coerce.number().int().positive().default(2_000),
  SMARTSCALE_BATCH_MIN_RECORDS: z.coerce.number().int().positive().default(200),
  SMARTSCALE_BATCH_MAX_RECORDS: z.coerce.number().int().positive().default(20_000),
  SMARTSCALE_BATCH_TARGET_LATENCY_MS: durationMs(500),
  SMARTSCALE_BATCH_CAUGHT_UP_LAG: z.coerce.number().int().nonnegative().default(500),
  SMARTSCALE_BATCH_CALM_BATCHES: z.coerce.number().int().positive().default(10),
  // Per-batch records (histograms on /metrics, BatchMetric on the batches topic); off only to measure their cost.
  SMARTSCALE_BATCH_RECORDING: z.enum(['true', 'false']).default('true'),
};

export interface AggregatorConfig {
  kafka: { brokers: string[]; clientId: string; groupId: string; security: KafkaSecurity };
  topics: { events: string; metrics: string; deadLetter: string; batches: string };
  windows: {
    sizeMs: number;
    graceMs: number;
    partitionIdleMs: number;
    serviceIdleMs: number;
    /** Event time against the wall clock: see the two settings in the schema above. */
    clock: { maxStreamLeadMs: number; maxFutureMs: number };
    /** Null when off. Same grace as the tumbling windows, which are their panes. */
    hopping: { sizeMs: number; advanceMs: number } | null;
  };
  batching: BatchingConfig;
  /** Where /health and /metrics are served; null (port 0) for none. */
  http: { host: string; port: number } | null;
}

export interface BatchingConfig {
  mode: 'adaptive' | 'fixed';
  /** The fixed settings, or where the adaptive commit pacer starts. */
  initial: BatchKnobs;
  pacer: CommitPacerOptions;
  /** Record every batch (metrics and the batches topic). */
  record: boolean;
}

export function loadAggregatorConfig(env: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  const e = loadEnv(AGGREGATOR_ENV_SHAPE, env);
  return {
    kafka: {
      brokers: e.SMARTSCALE_KAFKA_BROKERS,
      clientId: e.SMARTSCALE_AGGREGATOR_INSTANCE,
      groupId: e.SMARTSCALE_AGGREGATOR_GROUP,
      security: kafkaSecurity(e),
    },
    topics: {
      events: e.SMARTSCALE_AGGREGATOR_EVENTS_TOPIC,
      metrics: e.SMARTSCALE_AGGREGATOR_METRICS_TOPIC,
      deadLetter: e.SMARTSCALE_AGGREGATOR_DEAD_LETTER_TOPIC,
      batches: e.SMARTSCALE_AGGREGATOR_BATCHES_TOPIC,
    },
    windows: {
      sizeMs: e.SMARTSCALE_WINDOW_MS,
      graceMs: e.SMARTSCALE_GRACE_MS,
      partitionIdleMs: e.SMARTSCALE_PARTITION_IDLE_MS,
      serviceIdleMs: e.SMARTSCALE_SERVICE_IDLE_MS,
      clock: clockConfig(e),
      hopping: hoppingConfig(e),
    },
    batching: batchingConfig(e),
    http:
      e.SMARTSCALE_AGGREGATOR_METRICS_PORT === 0
        ? null
        : { host: e.SMARTSCALE_AGGREGATOR_METRICS_HOST, port: e.SMARTSCALE_AGGREGATOR_METRICS_PORT },
  };
}

/** A lead beyond the grace period would let stream time close windows before real events could reach them. */
function clockConfig(e: z.infer<z.ZodObject<typeof AGGREGATOR_ENV_SHAPE>>): AggregatorConfig['windows']['clock'] {
  if (e.SMARTSCALE_AGGREGATOR_MAX_STREAM_LEAD_MS > e.SMARTSCALE_GRACE_MS) {
    throw new Error(
      `invalid configuration:\n  SMARTSCALE_AGGREGATOR_MAX_STREAM_LEAD_MS: ${e.SMARTSCALE_AGGREGATOR_MAX_STREAM_LEAD_MS} is above SMARTSCALE_GRACE_MS (${e.SMARTSCALE_GRACE_MS})`,
    );
  }
  return { maxStreamLeadMs: e.SMARTSCALE_AGGREGATOR_MAX_STREAM_LEAD_MS, maxFutureMs: e.SMARTSCALE_AGGREGATOR_MAX_FUTURE_MS };
}

/** Hopping windows are merged from whole tumbling windows (panes), so their sizes must line up. */
function hoppingConfig(e: z.infer<z.ZodObject<typeof AGGREGATOR_ENV_SHAPE>>): AggregatorConfig['windows']['hopping'] {
  const sizeMs = e.SMARTSCALE_HOPPING_WINDOW_MS;
  const advanceMs = e.SMARTSCALE_HOPPING_ADVANCE_MS;
  if (sizeMs === 0) return null;
  const bad: string[] = [];
  if (advanceMs % e.SMARTSCALE_WINDOW_MS !== 0)
    bad.push(`SMARTSCALE_HOPPING_ADVANCE_MS: ${advanceMs} is not a multiple of SMARTSCALE_WINDOW_MS (${e.SMARTSCALE_WINDOW_MS})`);
  if (sizeMs % advanceMs !== 0)
    bad.push(
      `SMARTSCALE_HOPPING_WINDOW_MS: ${sizeMs} is not a multiple of SMARTSCALE_HOPPING_ADVANCE_MS (${advanceMs}); 0 turns hopping windows off`,
    );
  if (bad.length > 0) throw new Error(`invalid configuration:\n${bad.map((b) => `  ${b}`).join('\n')}`);
  return { sizeMs, advanceMs };
}

function batchingConfig(e: z.infer<z.ZodObject<typeof AGGREGATOR_ENV_SHAPE>>): BatchingConfig {
  if (
    e.SMARTSCALE_BATCH_MIN_INTERVAL_MS > e.SMARTSCALE_BATCH_MAX_INTERVAL_MS ||
    e.SMARTSCALE_BATCH_MIN_RECORDS > e.SMARTSCALE_BATCH_MAX_RECORDS
  ) {
    throw new Error('invalid configuration:\n  SMARTSCALE_BATCH_MIN_*: a minimum is above its maximum');
  }
  const pacer: CommitPacerOptions = {
    minIntervalMs: e.SMARTSCALE_BATCH_MIN_INTERVAL_MS,
    maxIntervalMs: e.SMARTSCALE_BATCH_MAX_INTERVAL_MS,
    minRecords: e.SMARTSCALE_BATCH_MIN_RECORDS,
    maxRecords: e.SMARTSCALE_BATCH_MAX_RECORDS,
    targetLatencyMs: e.SMARTSCALE_BATCH_TARGET_LATENCY_MS,
    caughtUpLag: e.SMARTSCALE_BATCH_CAUGHT_UP_LAG,
    calmBatches: e.SMARTSCALE_BATCH_CALM_BATCHES,
    increaseFactor: 2,
    decreaseStepMs: Math.max(1, Math.round((e.SMARTSCALE_BATCH_MAX_INTERVAL_MS - e.SMARTSCALE_BATCH_MIN_INTERVAL_MS) / 50)),
  };
  const initial = { commitIntervalMs: e.SMARTSCALE_COMMIT_INTERVAL_MS, maxBatchRecords: e.SMARTSCALE_BATCH_RECORDS };
  const mode = e.SMARTSCALE_BATCH_MODE;
  // Fixed mode takes the settings as given; adaptive starts from them inside its bounds.
  return { mode, initial: mode === 'fixed' ? initial : clampKnobs(initial, pacer), pacer, record: e.SMARTSCALE_BATCH_RECORDING === 'true' };
}
