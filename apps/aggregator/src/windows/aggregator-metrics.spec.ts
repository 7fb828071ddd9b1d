import { Registry } from 'prom-client';
import type { WindowMetric } from '@smartscale/contracts';
import { metricSample as value } from '@smartscale/testing';
import { AggregatorMetrics } from './aggregator-metrics';

const window = (windowEnd: number): WindowMetric => ({
  v: 1,
  service: 'checkout',
  windowStart: windowEnd - 10_000,
  windowEnd,
  count: 10,
  eventsPerSecond: 1,
  errorCount: 0,
  errorRate: 0,
  countByType: {},
  latencyP50: null,
  latencyP95: null,
  latencyP99: null,
  consumerLag: 0,
  partition: 0,
  emittedAt: windowEnd,
});

describe(AggregatorMetrics.name, () => {
  it('counts a committed step and how long after its end each window closed, in seconds', async () => {
    const registry = new Registry();
    const metrics = new AggregatorMetrics(registry);
    metrics.committed([window(10_000), window(20_000)], 3, 1, 22_500);
    expect(await value(registry, 'smartscale_aggregator_windows_emitted_total')).toBe(2);
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
});
