import { Counter, Gauge, Registry } from 'prom-client';
import type { WindowMetric } from '@smartscale/contracts';
import type { Publication } from './forecast-publisher.adapter';

/**
 * The predictor's Prometheus metrics, registered on the app's registry (served at /metrics by the ops
 * module). The per-service gauges live here, not in the aggregator, because the predictor reads every
 * service's windows in one process whatever the number of aggregator replicas: one series per service.
 */
export class PredictorMetrics {
  readonly observed: Counter;
  readonly invalid: Counter;
  readonly published: Counter;
  readonly eventsPerSecond: Gauge<'service'>;
  readonly latencyP95: Gauge<'service'>;
  readonly errorRate: Gauge<'service'>;
  readonly anomalyScore: Gauge<'service'>;
  readonly forecast: Gauge<'service' | 'bound'>;
  readonly models: Gauge;
  readonly modelsEvicted: Counter;
  readonly refused: Counter<'reason'>;

  constructor(registry: Registry) {
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Gauge<L>({ name, help, labelNames, registers: [registry] });
    this.observed = new Counter({
      name: 'smartscale_predictor_windows_observed_total',
      help: 'Windows fed to the models',
      registers: [registry],
    });
    this.invalid = new Counter({
      name: 'smartscale_predictor_invalid_messages_total',
      help: 'Metrics messages that failed their schema',
      registers: [registry],
    });
    this.published = new Counter({
      name: 'smartscale_predictor_publications_total',
      help: 'Forecast and anomaly-score pairs published',
      registers: [registry],
    });
    this.eventsPerSecond = gauge('smartscale_predictor_observed_events_per_second', 'Events/s of the newest closed window, per service', [
      'service',
    ]);
    this.latencyP95 = gauge(
      'smartscale_predictor_observed_latency_p95_seconds',
      'Latency p95 reported by the service in its newest closed window',
      ['service'],
    );
    this.errorRate = gauge('smartscale_predictor_observed_error_rate', 'Share of error events in the newest closed window, per service', [
      'service',
    ]);
    this.anomalyScore = gauge('smartscale_predictor_anomaly_score', 'Anomaly score of the newest window, 0 to 1', ['service']);
    // One window ahead: compared with smartscale_predictor_observed_events_per_second one window later (offset).
    this.forecast = gauge(
      'smartscale_predictor_forecast_events_per_second',
      'Forecast events/s of the next window, with its prediction interval',
      ['service', 'bound'],
    );
    this.models = new Gauge({
      name: 'smartscale_predictor_models',
      help: 'Services with a model (and per-service series)',
      registers: [registry],
    });
    this.modelsEvicted = new Counter({
      name: 'smartscale_predictor_models_evicted_total',
      help: 'Models evicted after SMARTSCALE_PREDICTOR_MODEL_IDLE_MS without a window',
      registers: [registry],
    });
    this.refused = new Counter({
      name: 'smartscale_predictor_windows_refused_total',
      help: 'Windows not learned: ending ahead of the clock (future) or of a new service with the models at their cap (model_cap)',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  /**
   * A service's model was evicted: its label sets are removed (prom-client remove()), so the number of
   * per-service series follows the number of models instead of every name ever seen.
   */
  serviceEvicted(service: string): void {
    this.modelsEvicted.inc();
    for (const g of [this.eventsPerSecond, this.latencyP95, this.errorRate, this.anomalyScore]) g.remove({ service });
    for (const bound of FORECAST_BOUNDS) this.forecast.remove({ service, bound });
  }

  /** A window the models learned (not a repeat): the service's actual load and latency. */
  windowObserved(w: WindowMetric): void {
    this.observed.inc();
    this.eventsPerSecond.set({ service: w.service }, w.eventsPerSecond);
    this.errorRate.set({ service: w.service }, w.errorRate);
    // Events carry latencyMs; a window without latencies has no p95, so its series is removed, not zeroed.
    if (w.latencyP95 === null) this.latencyP95.remove({ service: w.service });
    else this.latencyP95.set({ service: w.service }, w.latencyP95 / 1000);
  }

  publicationSent(p: Publication): void {
    this.published.inc();
    const next = p.forecast.points[0];
    this.anomalyScore.set({ service: p.anomaly.service }, p.anomaly.score);
    if (!next) return;
    const service = p.forecast.service;
    this.forecast.set({ service, bound: 'point' }, next.eventsPerSecond);
    this.forecast.set({ service, bound: 'lower' }, next.lower);
    this.forecast.set({ service, bound: 'upper' }, next.upper);
  }
}

const FORECAST_BOUNDS = ['point', 'lower', 'upper'] as const;
