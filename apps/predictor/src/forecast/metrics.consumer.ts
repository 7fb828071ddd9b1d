import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { Counter, Registry } from 'prom-client';
import { TOPICS, WindowMetric, WindowMetricSchema } from '@smartscale/contracts';
import { createKafka, ensureTopics, withAdmin } from '@smartscale/kafka';
import { METRICS_REGISTRY, ReadinessCheck } from '@smartscale/ops';
import { PREDICTOR_CONFIG, PredictorConfig } from '../config/predictor.config';
import { ModelsService } from './models.service';

/**
 * Feeds the models from the metrics topic. Each start joins a fresh group from the beginning, so the
 * models are rebuilt by replaying the topic (bounded by its retention) instead of persisted elsewhere.
 */
@Injectable()
export class MetricsConsumer implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'broker';
  private readonly logger = new Logger(MetricsConsumer.name);
  private readonly consumer: Consumer;
  private readonly kafka;
  private joined = false;
  private readonly observed: Counter;
  private readonly invalid: Counter;

  constructor(
    @Inject(PREDICTOR_CONFIG) config: PredictorConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly models: ModelsService,
  ) {
    this.kafka = createKafka(config.kafka);
    this.consumer = this.kafka.consumer({ groupId: `smartscale-predictor-${config.kafka.clientId}-${Date.now()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.observed = new Counter({ name: 'smartscale_predictor_windows_observed_total', help: 'Windows fed to the models', registers: [registry] });
    this.invalid = new Counter({ name: 'smartscale_predictor_invalid_messages_total', help: 'Metrics messages that failed their schema', registers: [registry] });
  }

  async onApplicationBootstrap(): Promise<void> {
    await withAdmin(this.kafka, (admin) => ensureTopics(admin));
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joined = true));
    await this.consumer.subscribe({ topic: TOPICS.metrics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        const metric = this.parse(message.value, partition, message.offset);
        if (metric && this.models.observe(metric)) this.observed.inc();
      },
    });
  }

  async check(): Promise<boolean> {
    return this.joined;
  }

  async onApplicationShutdown(): Promise<void> {
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
