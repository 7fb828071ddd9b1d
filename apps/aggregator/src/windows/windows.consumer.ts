import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { Counter, Gauge, Registry } from 'prom-client';
import { TOPICS } from '@smartscale/contracts';
import { createIdempotentProducer, createKafka, ensureTopics, withAdmin } from '@smartscale/kafka';
import { METRICS_REGISTRY } from '@smartscale/ops';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../config/aggregator.config';
import { StepOutput, WindowsService } from './windows.service';

/** How often idle partitions are checked so that their last windows close. */
const IDLE_TICK_MS = 1_000;

/**
 * Kafka side of the aggregator: one consumer-group member. Emits closed windows, then commits only
 * up to the oldest open window, so a crash replays what was not emitted (at-least-once per window).
 */
@Injectable()
export class WindowsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WindowsConsumer.name);
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly emitted: Counter;
  private readonly deadLettered: Counter;
  private readonly late: Counter;
  private readonly lag: Gauge<'partition'>;

  constructor(
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly windows: WindowsService,
  ) {
    this.kafka = createKafka(config.kafka);
    this.consumer = this.kafka.consumer({ groupId: config.kafka.groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.producer = createIdempotentProducer(this.kafka);
    this.emitted = new Counter({ name: 'smartscale_aggregator_windows_emitted_total', help: 'Closed windows emitted', registers: [registry] });
    this.deadLettered = new Counter({ name: 'smartscale_aggregator_dead_letters_total', help: 'Records sent to the dead-letter topic', registers: [registry] });
    this.late = new Counter({ name: 'smartscale_aggregator_late_events_total', help: 'Events later than the grace period, dropped', registers: [registry] });
    this.lag = new Gauge({ name: 'smartscale_aggregator_consumer_lag', help: 'Records behind the high watermark', labelNames: ['partition'], registers: [registry] });
  }

  async onApplicationBootstrap(): Promise<void> {
    await withAdmin(this.kafka, (admin) => ensureTopics(admin));
    await this.producer.connect();
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(payload.memberAssignment[TOPICS.events] ?? []);
      this.logger.log(`${this.config.kafka.clientId} assigned partitions [${[...assigned].join(', ')}]`);
      void this.serialize(async () => this.windows.retain(assigned));
    });
    await this.consumer.subscribe({ topic: TOPICS.events, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachBatch: (payload) => this.serialize(() => this.onBatch(payload)) });
    this.timer = setInterval(() => void this.serialize(() => this.publish(this.windows.tick(Date.now()))), IDLE_TICK_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.queue;
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async onBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    const records = batch.messages.map((m) => ({ partition: batch.partition, offset: m.offset, key: m.key?.toString() ?? null, value: m.value }));
    const out = this.windows.ingest(records, batch.highWatermark, Date.now());
    this.lag.set({ partition: String(batch.partition) }, Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1));
    await this.publish(out);
    resolveOffset(batch.lastOffset());
    await heartbeat();
  }

  /** Windows and dead letters first, offsets after: a crash between the two replays, never loses. */
  private async publish(out: StepOutput): Promise<void> {
    this.late.inc(out.late);
    if (out.deadLetters.length > 0) {
      await this.producer.send({
        topic: TOPICS.deadLetter,
        acks: -1,
        messages: out.deadLetters.map(({ record, error }) => ({
          key: record.key,
          value: record.value,
          headers: { error, source: `${TOPICS.events}/${record.partition}/${record.offset}` },
        })),
      });
      for (const d of out.deadLetters) this.logger.warn(`dead letter ${TOPICS.events}/${d.record.partition}@${d.record.offset} key=${d.record.key}: ${d.error}`);
      this.deadLettered.inc(out.deadLetters.length);
    }
    if (out.metrics.length > 0) {
      await this.producer.send({ topic: TOPICS.metrics, acks: -1, messages: out.metrics.map((m) => ({ key: m.service, value: JSON.stringify(m) })) });
      this.emitted.inc(out.metrics.length);
    }
    if (out.commits.length > 0) {
      await this.consumer.commitOffsets(out.commits.map((c) => ({ topic: TOPICS.events, ...c })));
    }
  }

  /** Batches, rebalances and the idle timer touch the same window state: run them one at a time. */
  private serialize(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step).catch((err: unknown) => this.logger.error(`aggregation step failed: ${(err as Error).stack}`));
    this.queue = next;
    return next;
  }
}
