import { InjectionToken, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import type { BatchMetric } from '@smartscale/contracts';

/** Where groups of batch records go: a plain producer in production, an array in tests. */
export interface BatchMetricsSink {
  send(records: BatchMetric[]): Promise<void>;
  close(): Promise<void>;
}

export interface BatchMetricsPublisherOptions {
  /** Records kept at most while the broker is slow; the oldest are dropped first. */
  capacity: number;
  /** One group is sent at most this often. */
  flushMs: number;
}

/**
 * Publishes a record of every committed micro-batch off the hot path: `record` only appends to a
 * bounded buffer; a timer sends what accumulated as one group, never more than one group in flight.
 * The consumer loop never awaits it, so a slow broker costs records (counted), never throughput: these
 * are observations, not data, so losing some beats slowing the exactly-once output that they describe.
 */
export class BatchMetricsPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BatchMetricsPublisher.name);
  private buffer: BatchMetric[] = [];
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private warned = false;

  constructor(
    private readonly sink: BatchMetricsSink,
    private readonly onDropped: (n: number) => void,
    private readonly options: BatchMetricsPublisherOptions = { capacity: 10_000, flushMs: 1_000 },
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  /** After the transport has drained (its last commits recorded their batches). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), this.options.flushMs);
    this.timer.unref();
  }

  record(b: BatchMetric): void {
    if (this.buffer.length >= this.options.capacity) {
      this.buffer.shift();
      this.onDropped(1);
    }
    this.buffer.push(b);
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Starts sending what is buffered unless a group is still in flight; returns at once. */
  flush(): void {
    if (this.inFlight || this.buffer.length === 0) return;
    const group = this.buffer;
    this.buffer = [];
    this.inFlight = this.sink
      .send(group)
      .catch((err: unknown) => {
        this.onDropped(group.length);
        if (!this.warned) this.logger.warn(`batch records not published (dropped, counted; logged once): ${(err as Error).message}`);
        this.warned = true;
      })
      .finally(() => (this.inFlight = null));
  }

  /** On shutdown: the group in flight, then one last group, then the sink. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
    this.flush();
    await this.inFlight;
    await this.sink.close();
  }
}

/** The batch recorder, or null when recording is off (SMARTSCALE_BATCH_RECORDING). */
export const BATCH_RECORDS: InjectionToken<BatchMetricsPublisher | null> = Symbol('BATCH_RECORDS');

/** A plain producer (not idempotent, not transactional, acks=1): a lost record costs nothing but an observation. */
export function kafkaBatchMetricsSink(kafka: Kafka, topic: string): BatchMetricsSink {
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 2 } });
  let connected: Promise<void> | null = null;
  return {
    async send(records) {
      connected ??= producer.connect();
      await connected;
      await producer.send({
        topic,
        acks: 1,
        timeout: 5_000,
        messages: records.map((r) => ({ key: r.instance, value: JSON.stringify(r) })),
      });
    },
    async close() {
      if (connected) await producer.disconnect();
    },
  };
}
