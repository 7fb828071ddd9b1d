import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { clearInterval, setInterval } from 'node:timers';
import type { WindowMetric } from '@smartscale/contracts';
import type { Kafka } from 'kafkajs';
import { InjectKafka, WindowMetricsReader } from '@smartscale/kafka';
import type { ReadinessCheck } from '@smartscale/ops';
import { PREDICTOR_CONFIG, PredictorConfig } from '../config/predictor.config';
import { FORECAST_PUBLISHER, ForecastPublisher } from './forecast-publisher.adapter';
import { ModelsService } from './models.service';
import { PredictorMetrics } from './predictor-metrics';
import { WindowIntake } from './window-intake';

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
  private readonly intake: WindowIntake;
  /** Evicts idle models when no window arrives at all; windows also sweep, at most once a second. */
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    private readonly models: ModelsService,
    @Inject(FORECAST_PUBLISHER) private readonly publisher: ForecastPublisher,
    private readonly metrics: PredictorMetrics,
    @InjectKafka() kafka: Kafka,
  ) {
    this.intake = new WindowIntake(models, metrics);
    this.reader = new WindowMetricsReader(kafka, {
      groupPrefix: `smartscale-predictor-${config.kafka.clientId}`,
      // The models expect one window per service and period: the hopping windows overlap them.
      kinds: ['tumbling'],
      onMetric: (metric) => this.take(metric),
      onInvalid: (where, error) => {
        this.metrics.invalid.inc();
        this.logger.warn(`skipping invalid metric ${where}: ${error}`);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reader.start();
    this.sweeper = setInterval(() => this.intake.sweep(Date.now()), WindowIntake.sweepEveryMs(this.config));
    this.sweeper.unref();
  }

  private async take(metric: WindowMetric): Promise<void> {
    const now = Date.now();
    this.intake.take(metric, now);
    const publication = this.models.publication(metric.service, metric.windowEnd, now);
    if (!publication) return;
    await this.publisher.publish(publication);
    // Not for a model the sweep evicted during the send: its series would outlive it.
    if (this.models.has(metric.service)) this.metrics.publicationSent(publication);
  }

  async check(): Promise<boolean> {
    return this.reader.joined;
  }

  /** Before the publisher closes (in onApplicationShutdown), so an in-flight publication completes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.reader.stop();
  }
}
