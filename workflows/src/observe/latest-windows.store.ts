import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import type { WindowMetric } from '@smartscale/contracts';
import { InjectKafka, WindowMetricsReader } from '@smartscale/kafka';
import type { ReadinessCheck } from '@smartscale/ops';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { HistoryService } from '../history/history.service';

/**
 * The newest closed window per service, read from the metrics topic. Every worker keeps its own
 * copy (its own group, replayed from the start), so an observe activity can run on any worker.
 * Every window also goes to the SQL history (idempotent, so the replay inserts nothing twice).
 */
@Injectable()
export class LatestWindowsStore implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'broker';
  private readonly logger = new Logger(LatestWindowsStore.name);
  private readonly latest = new Map<string, WindowMetric>();
  private readonly reader: WindowMetricsReader;

  constructor(
    @Inject(WORKER_CONFIG) config: WorkerConfig,
    @InjectKafka() kafka: Kafka,
    private readonly history: HistoryService,
  ) {
    this.reader = new WindowMetricsReader(kafka, {
      groupPrefix: `smartscale-controller-${config.kafka.clientId}`,
      // The controller, the console and the SQL history (and the CLI reading it) work on tumbling
      // windows: one per service and period, keyed by service and start.
      kinds: ['tumbling'],
      onMetric: (m) => this.take(m),
      onInvalid: (where, error) => this.logger.warn(`skipping invalid metric ${where}: ${error}`),
    });
  }

  latestFor(service: string): WindowMetric | null {
    return this.latest.get(service) ?? null;
  }

  onApplicationBootstrap(): Promise<void> {
    return this.reader.start();
  }

  async check(): Promise<boolean> {
    return this.reader.joined;
  }

  onApplicationShutdown(): Promise<void> {
    return this.reader.stop();
  }

  private take(m: WindowMetric): void {
    this.history.takeWindow(m);
    const prev = this.latest.get(m.service);
    if (!prev || m.windowEnd > prev.windowEnd) this.latest.set(m.service, m);
  }
}
