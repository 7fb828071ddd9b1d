import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import { TelemetryEvent, TOPICS } from '@smartscale/contracts';
import { createIdempotentProducer, createKafka } from '@smartscale/kafka';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';

/** Where accepted events go. publish() resolves only once every event is durably stored. */
export interface EventSink {
  publish(events: TelemetryEvent[]): Promise<void>;
  ready(): Promise<boolean>;
}
export const EVENT_SINK = Symbol('EVENT_SINK');

@Injectable()
export class KafkaEventSink implements EventSink, OnModuleDestroy {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private connecting: Promise<void> | null = null;

  constructor(@Inject(INGEST_CONFIG) config: IngestConfig) {
    this.kafka = createKafka(config.kafka);
    this.producer = createIdempotentProducer(this.kafka);
  }

  async publish(events: TelemetryEvent[]): Promise<void> {
    await this.connect();
    // acks=-1: the leader answers after every in-sync replica has the batch. Key = service keeps a
    // service's events in order on one partition, which the aggregator's per-partition stream time needs.
    await this.producer.send({
      topic: TOPICS.events,
      acks: -1,
      messages: events.map((e) => ({ key: e.service, value: JSON.stringify(e), timestamp: String(e.time) })),
    });
  }

  async ready(): Promise<boolean> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const { brokers } = await admin.describeCluster();
      return brokers.length > 0;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer.disconnect();
  }

  private connect(): Promise<void> {
    // One connect shared by concurrent requests; reset on failure so the next request retries.
    this.connecting ??= this.producer.connect().catch((err: unknown) => {
      this.connecting = null;
      throw err;
    });
    return this.connecting;
  }
}
