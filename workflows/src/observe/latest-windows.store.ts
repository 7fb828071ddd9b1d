import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { TOPICS, WindowMetric, WindowMetricSchema } from '@smartscale/contracts';
import { createKafka, ensureTopics, withAdmin } from '@smartscale/kafka';
import type { ReadinessCheck } from '@smartscale/ops';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

/**
 * The newest closed window per service, read from the metrics topic. Every worker keeps its own
 * copy (its own group, replayed from the start), so an observe activity can run on any worker.
 */
@Injectable()
export class LatestWindowsStore implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'broker';
  private readonly logger = new Logger(LatestWindowsStore.name);
  private readonly latest = new Map<string, WindowMetric>();
  private readonly consumer: Consumer;
  private readonly kafka;
  private joined = false;

  constructor(@Inject(WORKER_CONFIG) config: WorkerConfig) {
    this.kafka = createKafka(config.kafka);
    this.consumer = this.kafka.consumer({ groupId: `smartscale-controller-${config.kafka.clientId}-${Date.now()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  }

  latestFor(service: string): WindowMetric | null {
    return this.latest.get(service) ?? null;
  }

  async onApplicationBootstrap(): Promise<void> {
    await withAdmin(this.kafka, (admin) => ensureTopics(admin));
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joined = true));
    await this.consumer.subscribe({ topic: TOPICS.metrics, fromBeginning: true });
    await this.consumer.run({ eachMessage: async ({ message, partition }) => this.take(message.value, partition, message.offset) });
  }

  async check(): Promise<boolean> {
    return this.joined;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect();
  }

  private take(value: Buffer | null, partition: number, offset: string): void {
    const parsed = WindowMetricSchema.safeParse(safeJson(value));
    if (!parsed.success) {
      this.logger.warn(`skipping invalid metric ${TOPICS.metrics}/${partition}@${offset}`);
      return;
    }
    const m = parsed.data as WindowMetric;
    const prev = this.latest.get(m.service);
    if (!prev || m.windowEnd > prev.windowEnd) this.latest.set(m.service, m);
  }
}

function safeJson(value: Buffer | null): unknown {
  try {
    return JSON.parse(value?.toString('utf8') ?? 'null');
  } catch {
    return null;
  }
}
