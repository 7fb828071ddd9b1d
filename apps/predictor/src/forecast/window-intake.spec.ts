import { Registry } from 'prom-client';
import { metricSample, windowMetric } from '@smartscale/testing';
import type { PredictorConfig } from '../config/predictor.config';
import { ModelsService } from './models.service';
import { PredictorMetrics } from './predictor-metrics';
import { WindowIntake } from './window-intake';

const NOW = Date.parse('2026-12-06T07:00:00Z');
const config = {
  windowMs: 10_000,
  maxHorizon: 30,
  periods: [],
  maxPeriod: 100,
  publishMaxAgeMs: 300_000,
  models: { idleMs: 60_000, max: 2, maxWindowLeadMs: 5_000 },
} as unknown as PredictorConfig;
const win = (service: string, windowEnd: number) =>
  windowMetric(windowEnd, { service, windowStart: windowEnd - 10_000, count: 10, eventsPerSecond: 1 });

describe(WindowIntake.name, () => {
  it('learns windows up to the model cap, counts the refused ones, and sweeps idle models with their series', async () => {
    const registry = new Registry();
    const models = new ModelsService(config);
    const intake = new WindowIntake(models, new PredictorMetrics(registry));
    intake.take(win('checkout', NOW - 2_000), NOW);
    intake.take(win('invented-1', NOW - 2_000), NOW);
    intake.take(win('invented-2', NOW - 2_000), NOW);
    intake.take(win('invented-3', NOW + 3_600_000), NOW);
    expect(await metricSample(registry, 'smartscale_predictor_windows_refused_total', { reason: 'model_cap' })).toBe(1);
    expect(await metricSample(registry, 'smartscale_predictor_windows_refused_total', { reason: 'future' })).toBe(1);
    expect(await metricSample(registry, 'smartscale_predictor_models')).toBe(2);
    intake.take(win('checkout', NOW + 28_000), NOW + 30_000);
    intake.take(win('checkout', NOW + 58_000), NOW + 60_000); // sweeps first: invented-1 idle for 60 s, checkout for 30 s
    expect(models.services()).toEqual(['checkout']);
    expect(await metricSample(registry, 'smartscale_predictor_observed_events_per_second', { service: 'invented-1' })).toBeUndefined();
    expect(await metricSample(registry, 'smartscale_predictor_models_evicted_total')).toBe(1);
  });
});
