import { Consumer, Kafka } from 'kafkajs';
import { createKafka, servedTopicOffsets, withAdmin } from '@smartscale/kafka';

/** Per partition, the offset a probe starts reading at. */
export type ProbeOffsets = { partition: number; offset: string }[];

/**
 * Reads a topic in a throwaway group and keeps the records whose key matches, so a test can assert on
 * what really reached the broker. It starts at the topic's end when it is opened, or at offsets taken
 * earlier (`TopicProbe.ends`), never at the beginning: a long-lived local topic can hold millions of
 * records, and reading them all would make a test slow for reasons that have nothing to do with it.
 */
export class TopicProbe<T> {
  readonly records: T[] = [];
  private readonly consumer: Consumer;

  private constructor(kafka: Kafka, topic: string, key: string) {
    this.consumer = kafka.consumer({ groupId: `probe-${topic}-${key}-${Date.now()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  }

  /** The topic's end offsets now: a probe opened later with them reads what was written from here on. */
  static async ends(brokers: string[], topic: string): Promise<ProbeOffsets> {
    const offsets = await withAdmin(createKafka({ brokers, clientId: 'test-probe' }), (admin) => servedTopicOffsets(admin, topic));
    return offsets.map((p) => ({ partition: p.partition, offset: p.high }));
  }

  static async open<T>(brokers: string[], topic: string, key: string, since?: ProbeOffsets): Promise<TopicProbe<T>> {
    const from = since ?? (await TopicProbe.ends(brokers, topic));
    const probe = new TopicProbe<T>(createKafka({ brokers, clientId: 'test-probe' }), topic, key);
    await probe.consumer.connect();
    await probe.consumer.subscribe({ topic, fromBeginning: true });
    await probe.consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== key || !message.value) return;
        // A record of the events topic may hold several events of its service (libs/contracts event-records.ts).
        const value = JSON.parse(message.value.toString()) as T | T[];
        if (Array.isArray(value)) probe.records.push(...value);
        else probe.records.push(value);
      },
    });
    for (const { partition, offset } of from) probe.consumer.seek({ topic, partition, offset });
    return probe;
  }

  close(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/** Polls a condition until it holds, or fails with what was last seen: tests never sleep a fixed time. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
