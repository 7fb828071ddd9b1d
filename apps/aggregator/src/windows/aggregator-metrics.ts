import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WindowMetric } from '@smartscale/contracts';

/**
 * The aggregator's Prometheus metrics, registered on the app's registry (served at /metrics by the ops
 * module). One class so that the deploy/ checks can list exactly what the app exports.
 */
export class AggregatorMetrics {
  readonly emitted: Counter;
  readonly deadLettered: Counter;
  readonly late: Counter;
  readonly aborted: Counter;
  readonly lag: Gauge<'partition'>;
  readonly closeLatency: Histogram;

  constructor(registry: Registry) {
    this.emitted = new Counter({ name: 'smartscale_aggregator_windows_emitted_total', help: 'Closed windows emitted (committed)', registers: [registry] });
    this.deadLettered = new Counter({ name: 'smartscale_aggregator_dead_letters_total', help: 'Records sent to the dead-letter topic', registers: [registry] });
    this.late = new Counter({ name: 'smartscale_aggregator_late_events_total', help: 'Events later than the grace period, dropped', registers: [registry] });
    this.aborted = new Counter({ name: 'smartscale_aggregator_transactions_aborted_total', help: 'Aborted output transactions', registers: [registry] });
    this.lag = new Gauge({ name: 'smartscale_aggregator_consumer_lag', help: 'Records behind the high watermark', labelNames: ['partition'], registers: [registry] });
    // From the window's end (event time) to its result being committed, on the wall clock: grace,
    // the idle/commit timers and the transaction itself. Replays after a restart land in the top buckets.
    this.closeLatency = new Histogram({
      name: 'smartscale_aggregator_window_close_latency_seconds',
      help: 'Wall-clock time from a window end to its result committed to the metrics topic',
      buckets: [0.5, 1, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 30, 60, 300],
      registers: [registry],
    });
  }

  /** Counts one committed step: its windows (and how long after their end they closed), late events and dead letters. */
  committed(windows: readonly WindowMetric[], late: number, deadLetters: number, now: number): void {
    this.emitted.inc(windows.length);
    for (const w of windows) this.closeLatency.observe(Math.max(0, now - w.windowEnd) / 1000);
    this.late.inc(late);
    this.deadLettered.inc(deadLetters);
  }
}
