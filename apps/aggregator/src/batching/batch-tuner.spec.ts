import { Registry } from 'prom-client';
import { metricSample as value } from '@smartscale/testing';
import type { BatchingConfig } from '../config/aggregator.config';
import { SPEC_PACER } from '../../../../test/support/aggregator-spec-settings';
import { AggregatorMetrics } from '../metrics/aggregator-metrics';
import { BatchTuner } from './batch-tuner';

const config = (mode: 'fixed' | 'adaptive'): BatchingConfig => ({
  mode,
  initial: { commitIntervalMs: 100, maxBatchRecords: 1_000 },
  pacer: SPEC_PACER,
  record: true,
});
const behind = { records: 1_000, processingMs: 10, commitMs: 5, lagBefore: 1_000, lagAfter: 5_000 };

describe(BatchTuner.name, () => {
  it('in adaptive mode applies the control law and counts the change', async () => {
    const registry = new Registry();
    const tuner = new BatchTuner(config('adaptive'), new AggregatorMetrics(registry));
    tuner.observe(behind);
    expect(tuner.settings).toEqual({ commitIntervalMs: 200, maxBatchRecords: 2_000, mode: 'adaptive' });
    expect(await value(registry, 'smartscale_aggregator_batch_setting_changes_total', { direction: 'up' })).toBe(1);
    expect(await value(registry, 'smartscale_aggregator_batch_commit_interval_seconds')).toBe(0.2);
  });

  it('in fixed mode keeps its settings whatever it observes', async () => {
    const registry = new Registry();
    const tuner = new BatchTuner(config('fixed'), new AggregatorMetrics(registry));
    tuner.observe(behind);
    expect(tuner.settings).toEqual({ commitIntervalMs: 100, maxBatchRecords: 1_000, mode: 'fixed' });
    expect(await value(registry, 'smartscale_aggregator_batch_commit_interval_seconds')).toBe(0.1);
  });

  it('steps down only while the loop is busy at most half of the time since the last batch', () => {
    let t = 0;
    const tuner = new BatchTuner(
      { ...config('adaptive'), initial: { commitIntervalMs: 500, maxBatchRecords: 5_000 } },
      new AggregatorMetrics(new Registry()),
      () => t,
    );
    const caughtUp = { records: 100, processingMs: 1, commitMs: 1, lagBefore: 0, lagAfter: 0 };
    for (let i = 0; i < 4; i++) {
      t += 100;
      tuner.worked(80); // 80 % busy
      tuner.observe(caughtUp);
    }
    expect(tuner.knobs.commitIntervalMs).toBe(500);
    for (let i = 0; i < 2; i++) {
      t += 100;
      tuner.worked(20);
      tuner.observe(caughtUp);
    }
    expect(tuner.knobs.commitIntervalMs).toBe(480);
  });
});
