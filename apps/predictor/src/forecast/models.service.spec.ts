import type { WindowMetric } from '@smartscale/contracts';
import { windowMetric } from '@smartscale/testing';
import type { PredictorConfig } from '../config/predictor.config';
import { ModelsService, PUBLISHED_HORIZON_CAP } from './models.service';

const WINDOW_MS = 10_000;
const T0 = Date.parse('2026-11-23T12:00:00Z');
const NOW = T0 + 3_600_000;

const config: PredictorConfig = {
  http: { host: '127.0.0.1', port: 0 },
  kafka: { brokers: ['unused:9092'], clientId: 'spec', security: { tls: null, sasl: null } },
  windowMs: WINDOW_MS,
  maxHorizon: 30,
  periods: [24],
  maxPeriod: 100,
  publishMaxAgeMs: 3_600_000,
  models: { idleMs: 3_600_000, max: 1_000, maxWindowLeadMs: 5_000 },
};

/** A window as the predictor sees it live: read 2 s after its end. */
const observe = (models: ModelsService, m: WindowMetric): ReturnType<ModelsService['observe']> => models.observe(m, m.windowEnd + 2_000);

function metric(service: string, index: number, eventsPerSecond: number): WindowMetric {
  const windowEnd = T0 + (index + 1) * WINDOW_MS;
  return windowMetric(windowEnd, {
    service,
    windowStart: windowEnd - WINDOW_MS,
    count: Math.round(eventsPerSecond * (WINDOW_MS / 1000)),
    eventsPerSecond,
  });
}

/** A slow ramp with a small deterministic wiggle, so the models have errors to weigh. */
const ramp = (i: number): number => 100 + 2 * i + (i % 3) - 1;

function fed(service: string, values: Array<number | null>): ModelsService {
  const models = new ModelsService(config);
  values.forEach((v, i) => v !== null && observe(models, metric(service, i, v)));
  return models;
}

describe(ModelsService.name, () => {
  it('forecasts a rising series to keep rising, within its interval', () => {
    const n = 400;
    const models = fed(
      'checkout',
      Array.from({ length: n }, (_, i) => ramp(i)),
    );
    const forecast = models.forecast('checkout', 12, NOW);
    const points = forecast?.points ?? [];
    expect(points).toHaveLength(12);
    expect(points[0].eventsPerSecond).toBeGreaterThan(ramp(n - 1) - 2);
    expect(points[11].eventsPerSecond).toBeGreaterThan(points[0].eventsPerSecond + 10);
    points.forEach((p) => expect(p.lower <= p.eventsPerSecond && p.eventsPerSecond <= p.upper).toBe(true));
    expect(points.map((p) => p.windowEnd)).toEqual(points.map((_, h) => T0 + (n + h + 1) * WINDOW_MS));
  });

  it('ignores a repeated or older window, so a replay leaves the forecast unchanged', () => {
    const models = fed(
      'checkout',
      Array.from({ length: 100 }, (_, i) => ramp(i)),
    );
    const before = models.forecast('checkout', 12, NOW);
    expect(observe(models, metric('checkout', 99, 5_000))).toBe('repeated');
    expect(observe(models, metric('checkout', 10, 5_000))).toBe('repeated');
    expect(models.forecast('checkout', 12, NOW)).toEqual(before);
  });

  it('learns missing windows as zero windows', () => {
    const values = Array.from({ length: 120 }, (_, i) => ramp(i));
    const withGap = values.map((v, i) => (i >= 60 && i < 65 ? null : v));
    const withZeros = values.map((v, i) => (i >= 60 && i < 65 ? 0 : v));
    const gapForecast = fed('checkout', withGap).forecast('checkout', 12, NOW);
    expect(gapForecast).toEqual(fed('checkout', withZeros).forecast('checkout', 12, NOW));
    expect(gapForecast).not.toEqual(fed('checkout', values).forecast('checkout', 12, NOW));
  });

  it('publishes the capped horizons and the score of the latest window only, again on redelivery', () => {
    const models = fed(
      'checkout',
      Array.from({ length: 50 }, (_, i) => ramp(i)),
    );
    const latest = metric('checkout', 49, ramp(49));
    const publication = models.publication('checkout', latest.windowEnd, NOW);
    expect(publication?.forecast.points).toHaveLength(Math.min(config.maxHorizon, PUBLISHED_HORIZON_CAP));
    expect(publication?.anomaly).toEqual(
      expect.objectContaining({ v: 1, service: 'checkout', windowEnd: latest.windowEnd, eventsPerSecond: ramp(49) }),
    );
    expect(publication?.anomaly.score).toBeGreaterThanOrEqual(0);
    expect(publication?.anomaly.score).toBeLessThanOrEqual(1);
    expect(observe(models, latest)).toBe('repeated');
    expect(models.publication('checkout', latest.windowEnd, NOW)).toEqual(publication);
    expect(models.publication('checkout', latest.windowEnd - WINDOW_MS, NOW)).toBeNull();
    expect(models.publication('unknown', latest.windowEnd, NOW)).toBeNull();
    // A replayed window older than the publishing age is learned, not published.
    expect(models.publication('checkout', latest.windowEnd, latest.windowEnd + config.publishMaxAgeMs + 1)).toBeNull();
  });

  it('says how many windows of the service each forecast was learned from', () => {
    const models = fed('checkout', [90, 92, 91]);
    observe(models, metric('search', 0, 500));
    expect(models.forecast('checkout', 3, NOW)?.historyWindows).toBe(3);
    expect(models.forecast('search', 3, NOW)?.historyWindows).toBe(1);
    observe(models, metric('checkout', 3, 93));
    expect(models.publication('checkout', metric('checkout', 3, 93).windowEnd, NOW)?.forecast.historyWindows).toBe(4);
  });

  it('keeps services apart', () => {
    const models = fed('checkout', [1, 2, 3]);
    observe(models, metric('search', 0, 500));
    expect(models.services()).toEqual(['checkout', 'search']);
    expect(models.forecast('search', 1, NOW)?.points[0].eventsPerSecond).toBeCloseTo(500, 6);
    expect(models.forecast('nobody', 1, NOW)).toBeNull();
  });

  it('does not learn a window that ends ahead of its clock, which would make every real window after it look old', () => {
    const models = fed('checkout', [1, 2, 3]);
    const poisoned = metric('checkout', 360, 0); // an hour after the last real window
    expect(models.observe(poisoned, metric('checkout', 3, 4).windowEnd + 2_000)).toBe('future');
    expect(observe(models, metric('checkout', 3, 4))).toBe('learned');
    expect(models.observe(metric('intruder', 360, 0), T0)).toBe('future');
    expect(models.services()).toEqual(['checkout']);
  });

  it('evicts a model that learned nothing for the idle time, counting from the clock of its last window', () => {
    const models = new ModelsService({ ...config, models: { ...config.models, idleMs: 60_000 } });
    models.observe(metric('checkout', 0, 1), NOW);
    models.observe(metric('invented', 0, 1), NOW);
    models.observe(metric('checkout', 1, 1), NOW + 50_000);
    expect(models.evictIdle(NOW + 59_999)).toEqual([]);
    expect(models.evictIdle(NOW + 60_000)).toEqual(['invented']);
    expect([models.services(), models.size]).toEqual([['checkout'], 1]);
  });

  it('caps the number of models: a new service past it is refused while known services keep learning', () => {
    const models = new ModelsService({ ...config, models: { ...config.models, max: 3, idleMs: 60_000 } });
    for (const s of ['checkout', 'a', 'b']) expect(models.observe(metric(s, 0, 1), NOW)).toBe('learned');
    expect(models.observe(metric('c', 0, 1), NOW)).toBe('model_cap');
    expect(models.observe(metric('checkout', 1, 1), NOW + 61_000)).toBe('learned');
    expect(models.evictIdle(NOW + 61_000)).toEqual(['a', 'b']);
    expect(models.observe(metric('c', 1, 1), NOW + 61_000)).toBe('learned');
    expect(models.services()).toEqual(['c', 'checkout']);
  });
});
