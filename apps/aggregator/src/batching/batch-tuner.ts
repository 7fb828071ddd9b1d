import { Logger } from '@nestjs/common';
import type { BatchSettings } from '@smartscale/contracts';
import { performance } from 'node:perf_hooks';
import { CommitPacerState, BatchKnobs, BatchObservation, nextPace } from '@smartscale/windowing';
import type { BatchingConfig } from '../config/aggregator.config';
import type { AggregatorMetrics } from '../metrics/aggregator-metrics';

/**
 * The batch settings in force in one aggregator process. Fixed mode keeps them; adaptive mode feeds
 * every committed batch to the pure control law (libs/windowing commit-pacer) and logs and counts
 * each change with its reason. One per process: the cost it tunes (a transaction) is per process.
 */
export class BatchTuner {
  private readonly logger = new Logger(BatchTuner.name);
  private state: CommitPacerState;
  /** Busy time (batches, ticks, commits) since the last observation, and when that was. */
  private busyMs = 0;
  private observedAt: number;

  constructor(
    private readonly config: BatchingConfig,
    private readonly metrics: AggregatorMetrics,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.observedAt = now();
    this.state = { knobs: config.initial, calm: 0 };
    metrics.settings(config.initial, null);
  }

  get knobs(): BatchKnobs {
    return this.state.knobs;
  }

  get settings(): BatchSettings {
    return { ...this.state.knobs, mode: this.config.mode };
  }

  /** The serialized loop worked this long (not waiting for data). */
  worked(ms: number): void {
    this.busyMs += ms;
  }

  observe(batch: Omit<BatchObservation, 'busyFraction'>): void {
    if (this.config.mode === 'fixed') return;
    const now = this.now();
    const busyFraction = Math.min(1, this.busyMs / Math.max(1, now - this.observedAt));
    this.busyMs = 0;
    this.observedAt = now;
    const before = this.state.knobs;
    const d = nextPace({ ...batch, busyFraction }, this.state, this.config.pacer);
    this.state = d.state;
    if (!d.change) return;
    const after = d.state.knobs;
    this.metrics.settings(after, d.change);
    this.logger.log(
      `batch settings ${d.change}: commit interval ${before.commitIntervalMs} → ${after.commitIntervalMs} ms, records per step ${before.maxBatchRecords} → ${after.maxBatchRecords} (${d.reason})`,
    );
  }
}
