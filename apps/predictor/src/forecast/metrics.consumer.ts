import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { Counter, Registry } from 'prom-client';
import { TOPICS, WindowMetric, WindowMetricSchema } from '@smartscale/contracts';
import { createKafka, ensureTopics, withAdmin } from '@smartscale/kafka';
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
  private readonly consumer: Consumer;
  private readonly kafka;
  private joined = false;
  private readonly observed: Counter;
  private readonly invalid: Counter;
  private readonly published: Counter;

  constructor(
    @Inject(PREDICTOR_CONFIG) config: PredictorConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly models: ModelsService,
    @Inject(FORECAST_PUBLISHER) private readonly publisher: ForecastPublisher,
  ) {
    this.kafka = createKafka(config.kafka);
    this.consumer = this.kafka.consumer({ groupId: `smartscale-predictor-${config.kafka.clientId}-${Date.now()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.observed = new Counter({ name: 'smartscale_predictor_windows_observed_total', help: 'Windows fed to the models', registers: [registry] });
    this.invalid = new Counter({ name: 'smartscale_predictor_invalid_messages_total', help: 'Metrics messages that failed their schema', registers: [registry] });
    this.published = new Counter({ name: 'smartscale_predictor_publications_total', help: 'Forecast and anomaly-score pairs published', registers: [registry] });
  }

  async onApplicationBootstrap(): Promise<void> {
    await withAdmin(this.kafka, (admin) => ensureTopics(admin));
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joined = true));
    await this.consumer.subscribe({ topic: TOPICS.metrics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        const metric = this.parse(message.value, partition, message.offset);
        if (!metric) return;
        if (this.models.observe(metric)) this.observed.inc();
        const publication = this.models.publication(metric.service, metric.windowEnd, Date.now());
        if (!publication) return;
        await this.publisher.publish(publication);
        this.published.inc();
      },
    });
  }

  async check(): Promise<boolean> {
    return this.joined;
  }

  /** Before the publisher closes (in onApplicationShutdown), so an in-flight publication completes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
  }

  private parse(value: Buffer | null, partition: number, offset: string): WindowMetric | null {
    try {
      return WindowMetricSchema.parse(JSON.parse(value?.toString('utf8') ?? 'null')) as WindowMetric;
    } catch (err) {
      this.invalid.inc();
      this.logger.warn(`skipping invalid metric ${TOPICS.metrics}/${partition}@${offset}: ${(err as Error).message.slice(0, 200)}`);
      return null;
    }
  }
}
