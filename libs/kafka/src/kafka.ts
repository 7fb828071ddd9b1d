import { Admin, Kafka, KafkaConfig, logLevel, Partitioners, Producer } from 'kafkajs';
import type { KafkaSecurity } from '@smartscale/config';
import { TOPIC_PARTITIONS, TopicName } from '@smartscale/contracts';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  /** TLS and SASL from the app's config (libs/config kafkaSecurity); absent is plaintext without authentication. */
  security?: KafkaSecurity;
}

export function createKafka({ brokers, clientId, security }: KafkaConnection): Kafka {
  return new Kafka({
    brokers,
    clientId,
    logLevel: logLevel.WARN,
    retry: { retries: 8, initialRetryTime: 200 },
    ...securityOptions(security),
  });
}

/** kafkajs's `ssl` and `sasl` options; exported for its unit spec. */
export function securityOptions(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!security) return {};
  const { tls, sasl } = security;
  return {
    ...(tls ? { ssl: Object.keys(tls).length > 0 ? tls : true } : {}),
    ...(sasl ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as KafkaConfig['sasl'] } : {}),
  };
}

/**
 * Idempotent producer with acks=all: a retried send is de-duplicated by the broker, so "accepted"
 * means stored exactly once. kafkajs needs one request in flight per broker for that guarantee.
 * Retries are bounded on purpose (kafkajs warns about it): a send that keeps failing must surface as
 * an error (ingest answers 503) instead of hanging; the client's retry carries the same event ids,
 * which the aggregator counts once.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5, initialRetryTime: 200 },
  });
}

/** Creates the project's topics that are missing; safe to run on every boot and from several processes. */
export async function ensureTopics(admin: Admin, topics: TopicName[] = Object.keys(TOPIC_PARTITIONS) as TopicName[]): Promise<void> {
  await ensureTopicsLike(
    admin,
    topics.map((topic) => ({ topic, like: topic })),
  );
}

/**
 * Creates each missing topic with the partitions of the project topic it stands in for (a benchmark's
 * own events topic), and with `config` (topic-level settings, e.g. a benchmark's retention bound) if given.
 */
export async function ensureTopicsLike(
  admin: Admin,
  topics: { topic: string; like: TopicName; config?: { name: string; value: string }[] }[],
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map(({ topic, like, config }) => ({
        topic,
        numPartitions: TOPIC_PARTITIONS[like],
        replicationFactor: 1,
        configEntries: config,
      })),
    });
  } catch (err) {
    // Another process may have created them between listTopics and createTopics.
    if (!String((err as Error).message).includes('already exists')) throw err;
  }
  await untilServed(
    admin,
    missing.map((t) => t.topic),
  );
}

const TOPIC_READY_TIMEOUT_MS = 15_000;

/**
 * `waitForLeaders` returns before every broker's metadata cache knows the new leaders: an offsets
 * request right after can still fail with NOT_LEADER. Wait until each new topic answers one.
 */
async function untilServed(admin: Admin, topics: string[]): Promise<void> {
  for (const topic of topics) await servedTopicOffsets(admin, topic);
}

/**
 * The topic's offsets, once it answers: a topic just created (here or by another process, which may
 * still be creating it) can fail with NOT_LEADER or an unknown partition for a moment.
 */
export async function servedTopicOffsets(admin: Admin, topic: string): Promise<Awaited<ReturnType<Admin['fetchTopicOffsets']>>> {
  const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
  for (;;) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`topic ${topic} not served within ${TOPIC_READY_TIMEOUT_MS} ms: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}
