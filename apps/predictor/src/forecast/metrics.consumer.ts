import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { clearInterval, setInterval } from 'node:timers';
import type { WindowMetric } from '@smartscale/contracts';
import { createKafka, WindowMetricsReader } from '@smartscale/kafka';
import type { ReadinessCheck } from '@smartscale/ops';
import { PREDICTOR_CONFIG, PredictorConfig } from '../config/predictor.config';
import { FORECAST_PUBLISHER, ForecastPublisher } from './forecast-publisher.adapter';
import { ModelsService } from './models.service';
import { PredictorMetrics } from './predictor-metrics';

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
  /** Evicts idle models when no window arrives at all; windows also sweep, at most once a second. */
  private sweeper: NodeJS.Timeout | null = null;
  private lastSweep = 0;

  constructor(
    @Inject(PREDICTOR_CONFIG) private readonly config: PredictorConfig,
    private readonly models: ModelsService,
    @Inject(FORECAST_PUBLISHER) private readonly publisher: ForecastPublisher,
    private readonly metrics: PredictorMetrics,
  ) {
    this.reader = new WindowMetricsReader(createKafka(config.kafka), {
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
    const every = Math.max(1_000, Math.min(60_000, Math.round(this.config.models.idleMs / 4)));
    this.sweeper = setInterval(() => this.sweep(Date.now()), every);
    this.sweeper.unref();
  }

  private async take(metric: WindowMetric): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep >= 1_000) this.sweep(now);
    const outcome = this.models.observe(metric, now);
    if (outcome === 'learned') this.metrics.windowObserved(metric);
    else if (outcome !== 'repeated') this.metrics.refused.inc({ reason: outcome });
    this.metrics.models.set(this.models.size);
    const publication = this.models.publication(metric.service, metric.windowEnd, now);
    if (!publication) return;
    await this.publisher.publish(publication);
    this.metrics.publicationSent(publication);
  }

  async check(): Promise<boolean> {
    return this.reader.joined;
  }

  /** Before the publisher closes (in onApplicationShutdown), so an in-flight publication completes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.reader.stop();
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const service of this.models.evictIdle(now)) this.metrics.serviceEvicted(service);
    this.metrics.models.set(this.models.size);
  }
}
