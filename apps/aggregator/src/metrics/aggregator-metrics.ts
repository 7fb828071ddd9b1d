import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BatchMetric, WindowMetric, windowKind } from '@smartscale/contracts';
import type { BatchChange, BatchKnobs } from '@smartscale/windowing';

/**
 * The aggregator's Prometheus metrics, registered on the app's registry (served at /metrics by the ops
 * module). One class so that the deploy/ checks can list exactly what the app exports.
 */
export class AggregatorMetrics {
  readonly emitted: Counter<'kind'>;
  readonly deadLettered: Counter;
  readonly late: Counter;
  readonly refused: Counter;
  readonly ahead: Counter;
  readonly servicesEvicted: Counter;
  readonly services: Gauge;
  readonly aborted: Counter;
  readonly lag: Gauge<'partition'>;
  readonly closeLatency: Histogram;
  readonly batchRecords: Histogram;
  readonly batchBytes: Histogram;
  readonly batchSeconds: Histogram<'stage'>;
  readonly batchLag: Gauge<'when'>;
  readonly commitInterval: Gauge;
  readonly batchMaxRecords: Gauge;
  readonly settingChanges: Counter<'direction'>;
  readonly batchRecordsDropped: Counter;

  constructor(registry: Registry) {
    this.emitted = new Counter({
      name: 'smartscale_aggregator_windows_emitted_total',
      help: 'Closed windows emitted (committed), by kind',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'smartscale_aggregator_dead_letters_total',
      help: 'Records sent to the dead-letter topic',
      registers: [registry],
    });
    this.late = new Counter({
      name: 'smartscale_aggregator_late_events_total',
      help: 'Events later than the grace period, dropped',
      registers: [registry],
    });
    this.refused = new Counter({
      name: 'smartscale_aggregator_refused_events_total',
      help: 'Events dated further ahead of the clock than SMARTSCALE_AGGREGATOR_MAX_FUTURE_MS, dead-lettered',
      registers: [registry],
    });
    this.ahead = new Counter({
      name: 'smartscale_aggregator_ahead_events_total',
      help: 'Events dated ahead of the clock, counted in their window without moving stream time past the clock',
      registers: [registry],
    });
    this.servicesEvicted = new Counter({
      name: 'smartscale_aggregator_services_evicted_total',
      help: 'Services forgotten after SMARTSCALE_SERVICE_IDLE_MS without an event (no more zero windows)',
      registers: [registry],
    });
    this.services = new Gauge({
      name: 'smartscale_aggregator_services',
      help: 'Services with window state in this process',
      registers: [registry],
    });
    this.aborted = new Counter({
      name: 'smartscale_aggregator_transactions_aborted_total',
      help: 'Aborted output transactions',
      registers: [registry],
    });
    this.lag = new Gauge({
      name: 'smartscale_aggregator_consumer_lag',
      help: 'Records behind the high watermark',
      labelNames: ['partition'],
      registers: [registry],
    });
    // From the window's end (event time) to its result being committed, on the wall clock: grace,
    // the idle/commit timers and the transaction itself. Replays after a restart land in the top buckets.
    this.closeLatency = new Histogram({
      name: 'smartscale_aggregator_window_close_latency_seconds',
      help: 'Wall-clock time from a window end to its result committed to the metrics topic',
      buckets: [0.5, 1, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 30, 60, 300],
      registers: [registry],
    });
    // One observation per committed transaction (one micro-batch of one partition).
    this.batchRecords = new Histogram({
      name: 'smartscale_aggregator_batch_records',
      help: 'Records per committed micro-batch',
      buckets: [0, 10, 100, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000],
      registers: [registry],
    });
    this.batchBytes = new Histogram({
      name: 'smartscale_aggregator_batch_bytes',
      help: 'Record value bytes per committed micro-batch',
      buckets: [0, 1e3, 1e4, 1e5, 5e5, 1e6, 5e6, 1e7],
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: 'smartscale_aggregator_batch_seconds',
      help: 'Time per committed micro-batch by stage: fetch_wait (waiting for its data), processing, commit (the transaction)',
      labelNames: ['stage'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.batchLag = new Gauge({
      name: 'smartscale_aggregator_batch_lag_records',
      help: 'Consumer lag before and after the last committed micro-batch',
      labelNames: ['when'],
      registers: [registry],
    });
    this.commitInterval = new Gauge({
      name: 'smartscale_aggregator_batch_commit_interval_seconds',
      help: 'Commit interval in force',
      registers: [registry],
    });
    this.batchMaxRecords = new Gauge({
      name: 'smartscale_aggregator_batch_max_records',
      help: 'Records per processing step in force',
      registers: [registry],
    });
    this.settingChanges = new Counter({
      name: 'smartscale_aggregator_batch_setting_changes_total',
      help: 'Batch setting changes by the adaptive controller',
      labelNames: ['direction'],
      registers: [registry],
    });
    this.batchRecordsDropped = new Counter({
      name: 'smartscale_aggregator_batch_records_dropped_total',
      help: 'Batch records dropped before publishing because the broker was slow (oldest first)',
      registers: [registry],
    });
  }

  /** One committed micro-batch. */
  batch(b: BatchMetric): void {
    this.batchRecords.observe(b.records);
    this.batchBytes.observe(b.bytes);
    this.batchSeconds.observe({ stage: 'fetch_wait' }, b.fetchWaitMs / 1000);
    this.batchSeconds.observe({ stage: 'processing' }, b.processingMs / 1000);
    this.batchSeconds.observe({ stage: 'commit' }, b.commitMs / 1000);
    this.batchLag.set({ when: 'before' }, b.lagBefore);
    this.batchLag.set({ when: 'after' }, b.lagAfter);
  }

  /** The settings in force, and the change that brought them if any. */
  settings(knobs: BatchKnobs, change: BatchChange | null): void {
    this.commitInterval.set(knobs.commitIntervalMs / 1000);
    this.batchMaxRecords.set(knobs.maxBatchRecords);
    if (change) this.settingChanges.inc({ direction: change });
  }

  /**
   * Counts one committed step: its windows (and how long after their end the tumbling ones closed; a
   * hopping window closes with its last tumbling window), late events and dead letters.
   */
  committed(windows: readonly WindowMetric[], late: number, deadLetters: number, now: number): void {
    for (const w of windows) {
      const kind = windowKind(w);
      this.emitted.inc({ kind });
      if (kind === 'tumbling') this.closeLatency.observe(Math.max(0, now - w.windowEnd) / 1000);
    }
    this.late.inc(late);
    this.deadLettered.inc(deadLetters);
  }

  /** The event-time and per-service bounds of one committed step, and the services held after it. */
  bounded(step: { refused: number; ahead: number; servicesEvicted: number }, services: number): void {
    this.refused.inc(step.refused);
    this.ahead.inc(step.ahead);
    this.servicesEvicted.inc(step.servicesEvicted);
    this.services.set(services);
  }

  /**
   * After a rebalance: the lag series of partitions this member no longer owns are removed, so the
   * partition label sets stay the ones it owns (set again by their next batch).
   */
  partitionsChanged(): void {
    this.lag.reset();
  }
}
