import { Registry } from 'prom-client';
import type { BatchMetric, WindowMetric } from '@smartscale/contracts';
import { metricSample as value, windowMetric } from '@smartscale/testing';
import { AggregatorMetrics } from './aggregator-metrics';

const window = (windowEnd: number): WindowMetric => windowMetric(windowEnd, { count: 10, eventsPerSecond: 1 });

describe(AggregatorMetrics.name, () => {
  it('counts a committed step by window kind, and how long after its end each tumbling window closed, in seconds', async () => {
    const registry = new Registry();
    const metrics = new AggregatorMetrics(registry);
    const hop = windowMetric(20_000, { kind: 'hopping', windowStart: -40_000 });
    metrics.committed([window(10_000), window(20_000), hop], 3, 1, 22_500);
    expect(await value(registry, 'smartscale_aggregator_windows_emitted_total', { kind: 'tumbling' })).toBe(2);
    expect(await value(registry, 'smartscale_aggregator_windows_emitted_total', { kind: 'hopping' })).toBe(1);
    expect(await value(registry, 'smartscale_aggregator_late_events_total')).toBe(3);
    expect(await value(registry, 'smartscale_aggregator_dead_letters_total')).toBe(1);
    // 12.5 s and 2.5 s after their ends.
    expect(await value(registry, 'smartscale_aggregator_window_close_latency_seconds_sum')).toBe(15);
    expect(await value(registry, 'smartscale_aggregator_window_close_latency_seconds_bucket', { le: '2.5' })).toBe(1);
    expect(await value(registry, 'smartscale_aggregator_window_close_latency_seconds_bucket', { le: '15' })).toBe(2);
  });

  it('never observes a negative latency when the clock is behind the event times', async () => {
    const registry = new Registry();
    new AggregatorMetrics(registry).committed([window(30_000)], 0, 0, 29_000);
    expect(await value(registry, 'smartscale_aggregator_window_close_latency_seconds_sum')).toBe(0);
  });

  it('observes one committed micro-batch: size, stage times in seconds and lag before and after', async () => {
    const registry = new Registry();
    const b: BatchMetric = {
      v: 1,
      instance: 'a',
      partitions: [1],
      records: 1_200,
      bytes: 150_000,
      fetchWaitMs: 40,
      processingMs: 8,
      commitMs: 3,
      lagBefore: 900,
      lagAfter: 20,
      settings: { commitIntervalMs: 100, maxBatchRecords: 2_000, mode: 'adaptive' },
      startedAt: 0,
      committedAt: 60,
    };
    new AggregatorMetrics(registry).batch(b);
    expect(await value(registry, 'smartscale_aggregator_batch_records_sum')).toBe(1_200);
    expect(await value(registry, 'smartscale_aggregator_batch_bytes_sum')).toBe(150_000);
    expect(await value(registry, 'smartscale_aggregator_batch_seconds_sum', { stage: 'fetch_wait' })).toBeCloseTo(0.04);
    expect(await value(registry, 'smartscale_aggregator_batch_seconds_sum', { stage: 'commit' })).toBeCloseTo(0.003);
    expect(await value(registry, 'smartscale_aggregator_batch_lag_records', { when: 'before' })).toBe(900);
    expect(await value(registry, 'smartscale_aggregator_batch_lag_records', { when: 'after' })).toBe(20);
  });

  it('shows the settings in force and counts changes by direction', async () => {
    const registry = new Registry();
    const metrics = new AggregatorMetrics(registry);
    metrics.settings({ commitIntervalMs: 100, maxBatchRecords: 2_000 }, null);
    metrics.settings({ commitIntervalMs: 200, maxBatchRecords: 4_000 }, 'up');
    expect(await value(registry, 'smartscale_aggregator_batch_commit_interval_seconds')).toBe(0.2);
    expect(await value(registry, 'smartscale_aggregator_batch_max_records')).toBe(4_000);
    expect(await value(registry, 'smartscale_aggregator_batch_setting_changes_total', { direction: 'up' })).toBe(1);
    expect(await value(registry, 'smartscale_aggregator_batch_setting_changes_total', { direction: 'down' })).toBeUndefined();
  });

  it('counts refused, ahead and evicted per committed step, shows the services held, and drops the lag series of partitions given up', async () => {
    const registry = new Registry();
    const metrics = new AggregatorMetrics(registry);
    metrics.bounded({ refused: 1, ahead: 2, servicesEvicted: 5_000 }, 3);
    metrics.bounded({ refused: 1, ahead: 0, servicesEvicted: 0 }, 1);
    expect(await value(registry, 'smartscale_aggregator_refused_events_total')).toBe(2);
    expect(await value(registry, 'smartscale_aggregator_ahead_events_total')).toBe(2);
    expect(await value(registry, 'smartscale_aggregator_services_evicted_total')).toBe(5_000);
    expect(await value(registry, 'smartscale_aggregator_services')).toBe(1);
    metrics.lag.set({ partition: '7' }, 10);
    metrics.partitionsChanged();
    expect(await value(registry, 'smartscale_aggregator_consumer_lag', { partition: '7' })).toBeUndefined();
  });
});
