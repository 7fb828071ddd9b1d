import { Registry } from 'prom-client';
import type { WindowMetric } from '@smartscale/contracts';
import { metricSample } from '@smartscale/testing';
import { PredictorMetrics } from './predictor-metrics';

const window = (over: Partial<WindowMetric>): WindowMetric => ({
  v: 1,
  service: 'checkout',
  windowStart: 0,
  windowEnd: 10_000,
  count: 420,
  eventsPerSecond: 42,
  errorCount: 21,
  errorRate: 0.05,
  countByType: {},
  latencyP50: 80,
  latencyP95: 250,
  latencyP99: 900,
  consumerLag: 0,
  partition: 0,
  emittedAt: 12_000,
  ...over,
});

describe(PredictorMetrics.name, () => {
  it("shows a service's newest window: events/s, error rate, and the p95 latency in seconds", async () => {
    const registry = new Registry();
    const metrics = new PredictorMetrics(registry);
    metrics.windowObserved(window({}));
    expect(await metricSample(registry, 'smartscale_predictor_windows_observed_total')).toBe(1);
    expect(await metricSample(registry, 'smartscale_predictor_observed_events_per_second', { service: 'checkout' })).toBe(42);
    expect(await metricSample(registry, 'smartscale_predictor_observed_error_rate', { service: 'checkout' })).toBe(0.05);
    expect(await metricSample(registry, 'smartscale_predictor_observed_latency_p95_seconds', { service: 'checkout' })).toBe(0.25);
  });

  it('drops the p95 series of a window without latencies instead of showing a zero', async () => {
    const registry = new Registry();
    const metrics = new PredictorMetrics(registry);
    metrics.windowObserved(window({}));
    metrics.windowObserved(window({ windowEnd: 20_000, latencyP95: null }));
    expect(await metricSample(registry, 'smartscale_predictor_observed_latency_p95_seconds', { service: 'checkout' })).toBeUndefined();
  });

  it('shows the forecast of the next window with its interval, and the anomaly score', async () => {
    const registry = new Registry();
    const metrics = new PredictorMetrics(registry);
    metrics.publicationSent({
      forecast: {
        v: 1,
        service: 'checkout',
        model: 'ensemble',
        windowMs: 10_000,
        basedOnWindowEnd: 10_000,
        generatedAt: 12_000,
        anomalyScore: 0.1,
        points: [
          { windowEnd: 20_000, eventsPerSecond: 50, lower: 40, upper: 60 },
          { windowEnd: 30_000, eventsPerSecond: 70, lower: 45, upper: 95 },
        ],
      },
      anomaly: { v: 1, service: 'checkout', windowEnd: 10_000, eventsPerSecond: 42, score: 0.1, generatedAt: 12_000 },
    });
    const forecast = (bound: string) =>
      metricSample(registry, 'smartscale_predictor_forecast_events_per_second', { service: 'checkout', bound });
    expect([await forecast('point'), await forecast('lower'), await forecast('upper')]).toEqual([50, 40, 60]);
    expect(await metricSample(registry, 'smartscale_predictor_anomaly_score', { service: 'checkout' })).toBe(0.1);
    expect(await metricSample(registry, 'smartscale_predictor_publications_total')).toBe(1);
  });

  it('removes every series of a service whose model was evicted, and counts the eviction', async () => {
    const registry = new Registry();
    const metrics = new PredictorMetrics(registry);
    metrics.windowObserved(window({}));
    metrics.windowObserved(window({ service: 'invented-1' }));
    metrics.publicationSent({
      forecast: {
        v: 1,
        service: 'invented-1',
        model: 'ensemble',
        windowMs: 10_000,
        basedOnWindowEnd: 10_000,
        generatedAt: 12_000,
        anomalyScore: 0,
        points: [{ windowEnd: 20_000, eventsPerSecond: 1, lower: 0, upper: 2 }],
      },
      anomaly: { v: 1, service: 'invented-1', windowEnd: 10_000, eventsPerSecond: 1, score: 0, generatedAt: 12_000 },
    });
    metrics.serviceEvicted('invented-1');
    const series = (await registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => v.labels.service)).filter((s) => s !== undefined);
    expect(new Set(series)).toEqual(new Set(['checkout']));
    expect(await metricSample(registry, 'smartscale_predictor_models_evicted_total')).toBe(1);
  });
});
