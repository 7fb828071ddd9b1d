import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import type { WindowMetric } from '@smartscale/contracts';
import { createKafka, WindowMetricsReader } from '@smartscale/kafka';
import { METRICS_REGISTRY, ReadinessCheck } from '@smartscale/ops';
import { PREDICTOR_CONFIG, PredictorConfig } from '../config/predictor.config';
import { FORECAST_PUBLISHER, ForecastPublisher } from './forecast-publisher.adapter';
import { ModelsService } from './models.service';

/**
 * Feeds the models from the metrics topic. Each start joins a fresh group from the beginning, so the
 * models are rebuilt by replaying the topic (bounded by its retention) instead of persisted elsewhere.
 * After each window it publishes the service's forecast and anomaly score; a failed send throws, so
 * kafkajs redelivers the message and the publication is retried (see ModelsService.publication).
 */
@Injectable()
export class MetricsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown, ReadinessCheck {
  readonly name = 'broker';
  private readonly logger = new Logger(MetricsConsumer.name);
  private readonly reader: WindowMetricsReader;
  private readonly observed: Counter;
  private readonly invalid: Counter;
  private readonly published: Counter;

  constructor(
    @Inject(PREDICTOR_CONFIG) config: PredictorConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly models: ModelsService,
    @Inject(FORECAST_PUBLISHER) private readonly publisher: ForecastPublisher,
  ) {
    this.reader = new WindowMetricsReader(createKafka(config.kafka), {
      groupPrefix: `smartscale-predictor-${config.kafka.clientId}`,
      onMetric: (metric) => this.take(metric),
      onInvalid: (where, error) => {
        this.invalid.inc();
        this.logger.warn(`skipping invalid metric ${where}: ${error}`);
      },
    });
    this.observed = new Counter({ name: 'smartscale_predictor_windows_observed_total', help: 'Windows fed to the models', registers: [registry] });
    this.invalid = new Counter({ name: 'smartscale_predictor_invalid_messages_total', help: 'Metrics messages that failed their schema', registers: [registry] });
    this.published = new Counter({ name: 'smartscale_predictor_publications_total', help: 'Forecast and anomaly-score pairs published', registers: [registry] });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reader.start();
  }

  private async take(metric: WindowMetric): Promise<void> {
    if (this.models.observe(metric)) this.observed.inc();
    const publication = this.models.publication(metric.service, metric.windowEnd, Date.now());
    if (!publication) return;
    await this.publisher.publish(publication);
    this.published.inc();
  }

  async check(): Promise<boolean> {
    return this.reader.joined;
  }

  /** Before the publisher closes (in onApplicationShutdown), so an in-flight publication completes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.reader.stop();
  }
}
