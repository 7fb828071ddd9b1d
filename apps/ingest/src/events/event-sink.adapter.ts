import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import { EventRecord, MAX_EVENT_RECORD_BYTES, mergeRecords, packEvents, PackLimits, TelemetryEvent, TOPICS } from '@smartscale/contracts';
import { createIdempotentProducer, ensureTopicsLike, InjectKafka, withAdmin } from '@smartscale/kafka';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';
import { CoalescingPublisher, Withdrawal } from './coalescing-publisher';

/**
 * Bound of one grouped produce request. The broker refuses a record batch over max.message.bytes
 * (1 MiB by default) per partition; half of that over all partitions keeps even one hot key under it.
 */
const MAX_SEND_BYTES = 512 * 1024;

/** Where accepted events go. publish() resolves only once every event is durably stored. */
export interface EventSink {
  publish(events: TelemetryEvent[]): Promise<void>;
  ready(): Promise<boolean>;
}
export const EVENT_SINK = Symbol('EVENT_SINK');

@Injectable()
export class KafkaEventSink implements EventSink, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EventSink');
  private readonly producers: Producer[];
  private connecting: Promise<void> | null = null;
  private closing = false;
  private readonly publishers: CoalescingPublisher<EventRecord>[];
  private readonly publishTimeoutMs: number;
  private readonly topic: string;
  private readonly pack: PackLimits;

  constructor(
    @Inject(INGEST_CONFIG) config: IngestConfig,
    @InjectKafka() private readonly kafka: Kafka,
  ) {
    this.publishTimeoutMs = config.events.publishTimeoutMs;
    this.topic = config.events.topic;
    this.pack = { maxEvents: config.events.eventsPerRecord, maxBytes: MAX_EVENT_RECORD_BYTES };
    // Several idempotent producers, each one produce request in flight (kafkajs' condition for
    // idempotence): while one waits for the broker, the next carries the requests that arrived meanwhile.
    this.producers = Array.from({ length: config.events.producers }, () => createIdempotentProducer(this.kafka));
    // acks=-1: the leader answers after every in-sync replica has the batch. Key = service puts a
    // service's events on one partition, which the aggregator's per-partition stream time reads; across
    // requests (and producers, and ingest processes) their order is event time's business: windows have grace.
    this.publishers = this.producers.map(
      (producer) =>
        new CoalescingPublisher<EventRecord>(async (records) => {
          // the requests grouped into this send share records where they can (single events above all)
          await producer.send({ topic: this.topic, acks: -1, messages: mergeRecords(records, this.pack) });
        }, MAX_SEND_BYTES),
    );
  }

  async publish(events: TelemetryEvent[]): Promise<void> {
    // Past shutdown the producer is going away: the client gets 503 and retries elsewhere or later.
    if (this.closing) throw new Error('ingest is shutting down');
    // A service's events of one request share records (libs/contracts event-records.ts): the broker's
    // and kafkajs' work is mostly per record.
    const records = packEvents(events, this.pack);
    await withDeadline(this.publishTimeoutMs, async (withdrawal) => {
      await this.connect();
      await leastBacklog(this.publishers).publish(records, withdrawal);
    });
  }

  async ready(): Promise<boolean> {
    if (this.closing) return false;
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

  /**
   * Nest runs this before it stops the HTTP server, so requests can still arrive: they are refused
   * (503), while every request already handed to the producer is acknowledged before it disconnects.
   */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await Promise.all(this.publishers.map((p) => p.drain()));
    await Promise.all(this.producers.map((p) => p.disconnect()));
  }

  /** Connects (and creates the events topic on a fresh cluster) before the first request needs it. */
  onApplicationBootstrap(): void {
    this.connect().catch((err: unknown) => this.logger.warn(`broker not reachable yet, requests will retry: ${(err as Error).message}`));
  }

  private connect(): Promise<void> {
    // One connect shared by concurrent requests; reset on failure so the next request retries.
    this.connecting ??= (async () => {
      await withAdmin(this.kafka, (admin) => ensureTopicsLike(admin, [{ topic: this.topic, like: TOPICS.events }]));
      await Promise.all(this.producers.map((p) => p.connect()));
    })().catch((err: unknown) => {
      this.connecting = null;
      throw err;
    });
    return this.connecting;
  }
}

function leastBacklog<M extends EventRecord>(publishers: CoalescingPublisher<M>[]): CoalescingPublisher<M> {
  let best = publishers[0];
  for (const p of publishers) if (p.backlogBytes < best.backlogBytes) best = p;
  return best;
}

/**
 * A broker that is down makes kafkajs retry for tens of seconds; the client is told 503 well before
 * its own timeout instead. At the deadline the request's records still queued are withdrawn (so the
 * queue does not grow with every retry); those already in flight may still land: the client's retry
 * carries the same event ids (its own, or ids derived from the body), which the aggregator de-duplicates.
 */
async function withDeadline(ms: number, work: (withdrawal: Withdrawal) => Promise<void>): Promise<void> {
  const withdrawal = new Withdrawal();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`the broker did not acknowledge within ${ms} ms`);
      withdrawal.fire(err);
      reject(err);
    }, ms);
  });
  const done = work(withdrawal);
  done.catch(() => undefined); // a late failure after the deadline has already been answered
  try {
    await Promise.race([done, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
