import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Consumer, Kafka, Producer } from 'kafkajs';
import { TelemetryEvent, WindowKind, windowKind, WindowMetric } from '@smartscale/contracts';
import { createIdempotentProducer, createKafka } from '@smartscale/kafka';
import { REPO_ROOT } from '@smartscale/testing';

// Shared by the aggregator's integration tests: real processes from the built dist/ (`npm run build`
// first), on topics of the test's own so that other tests on the shared broker do not interfere.

export const PARTITIONS = 3;
export const WINDOW_MS = 1_000;
export const GRACE_MS = 500;
/** Hopping windows of 10 panes advancing by 2: a crash lands inside windows whose first panes closed long before. */
export const HOP_MS = 10_000;
export const HOP_ADVANCE_MS = 2_000;
export const T0 = 1_700_000_000_000;
export const SERVICES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
const brokers = (process.env.SMARTSCALE_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export const partitionOf = (service: string): number => SERVICES.indexOf(service) % PARTITIONS;

/**
 * The known stream: steady events, 2 % retried ids, 5 % out of order within grace; exact expected
 * counts per tumbling window, and per hopping window closed by `flush(seconds)` (the sum of its panes).
 */
export function knownStream(
  run: string,
  seconds: number,
  perServicePerSecond: number,
): { events: TelemetryEvent[]; expected: Map<string, number>; expectedHopping: Map<string, number> } {
  const events: TelemetryEvent[] = [];
  const expected = new Map<string, number>();
  let i = 0;
  for (let ms = 0; ms < seconds * 1000; ms += 1000 / perServicePerSecond) {
    for (const service of SERVICES) {
      const skew = i % 20 === 7 ? 300 : 0; // out of order, inside the 500 ms grace period
      const time = Math.round(T0 + ms - skew);
      const e: TelemetryEvent = { v: 1, id: `${run}-${i++}`, service, type: 'request', time, latencyMs: 1 + (i % 300) };
      events.push(e);
      if (i % 50 === 3) events.push({ ...e }); // a client's retry: same id, counted once
      const key = `${service}@${time - (time % WINDOW_MS)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
  }
  const closedBy = flushTime(seconds);
  const expectedHopping = new Map<string, number>();
  for (const [key, n] of expected) {
    const [service, start] = key.split('@');
    const paneStart = Number(start);
    for (let hopStart = paneStart - (paneStart % HOP_ADVANCE_MS); hopStart > paneStart - HOP_MS; hopStart -= HOP_ADVANCE_MS) {
      if (hopStart + HOP_MS + GRACE_MS > closedBy) continue;
      const hopKey = `${service}@${hopStart}`;
      expectedHopping.set(hopKey, (expectedHopping.get(hopKey) ?? 0) + n);
    }
  }
  return { events, expected, expectedHopping };
}

const flushTime = (afterSeconds: number): number => T0 + (afterSeconds + 5) * 1000;

export const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

/** One run's topics, producer, read_committed reader of the outputs, and aggregator processes. */
export class AggregatorHarness {
  readonly topics: { events: string; metrics: string; deadLetter: string };
  readonly metrics: WindowMetric[] = [];
  readonly deadLetters: string[] = [];
  readonly log: string[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly kafka: Kafka;
  private producer!: Producer;
  private reader!: Consumer;

  get group(): string {
    return `smartscale-aggregator-${this.run}`;
  }

  constructor(readonly run: string) {
    this.topics = { events: `it.${run}.events`, metrics: `it.${run}.metrics`, deadLetter: `it.${run}.deadletter` };
    this.kafka = createKafka({ brokers, clientId: `test-${run}` });
  }

  async open(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: this.topics.events, numPartitions: PARTITIONS },
        { topic: this.topics.metrics, numPartitions: 1 },
        { topic: this.topics.deadLetter, numPartitions: 1 },
      ],
    });
    await admin.disconnect();
    this.producer = createIdempotentProducer(this.kafka);
    await this.producer.connect();
    // read_committed is kafkajs's default; stated because the tests depend on it.
    this.reader = this.kafka.consumer({ groupId: `reader-${this.run}`, readUncommitted: false });
    await this.reader.connect();
    await this.reader.subscribe({ topics: [this.topics.metrics, this.topics.deadLetter], fromBeginning: true });
    await this.reader.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === this.topics.metrics) this.metrics.push(JSON.parse(message.value!.toString()) as WindowMetric);
        else this.deadLetters.push(message.headers?.source?.toString() ?? '?');
      },
    });
  }

  async close(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(this.children.map(exited));
    await this.reader?.disconnect();
    await this.producer?.disconnect();
    // Leave the shared broker as it was.
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(this.topics) }).catch(() => undefined);
    await admin.disconnect();
  }

  /** The state of the aggregators' group, as the broker sees it ('Empty' once every member has left). */
  async groupState(): Promise<string> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return (await admin.describeGroups([this.group])).groups[0]?.state ?? 'Dead';
    } finally {
      await admin.disconnect();
    }
  }

  send(events: TelemetryEvent[]): Promise<unknown> {
    return this.producer.send({
      topic: this.topics.events,
      acks: -1,
      messages: events.map((e) => ({ partition: partitionOf(e.service), key: e.service, value: JSON.stringify(e) })),
    });
  }

  sendRaw(partition: number, value: string): Promise<unknown> {
    return this.producer.send({ topic: this.topics.events, acks: -1, messages: [{ partition, key: 'raw', value }] });
  }

  /** One event per partition past the last window plus grace, so that every window closes. */
  flush(afterSeconds: number): Promise<unknown> {
    const time = flushTime(afterSeconds);
    return this.producer.send({
      topic: this.topics.events,
      acks: -1,
      messages: [...Array(PARTITIONS).keys()].map((p) => ({
        partition: p,
        key: `flush-${p}`,
        value: JSON.stringify({ v: 1, id: `flush-${p}`, service: `flush-${p}`, type: 'request', time }),
      })),
    });
  }

  /**
   * An aggregator process (`entry`: the build under test) on this harness's topics and group, with `env`
   * on top; its output is kept in `log` under its name.
   */
  spawnAggregator(name: string, env: Record<string, string>, entry = join(REPO_ROOT, 'dist/apps/aggregator/src/main.js')): ChildProcess {
    const child = spawn(process.execPath, [entry], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        SMARTSCALE_KAFKA_BROKERS: brokers.join(','),
        SMARTSCALE_AGGREGATOR_GROUP: this.group,
        SMARTSCALE_AGGREGATOR_INSTANCE: name,
        SMARTSCALE_AGGREGATOR_EVENTS_TOPIC: this.topics.events,
        SMARTSCALE_AGGREGATOR_METRICS_TOPIC: this.topics.metrics,
        SMARTSCALE_AGGREGATOR_DEAD_LETTER_TOPIC: this.topics.deadLetter,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (b: Buffer): void =>
      void this.log.push(
        ...b
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => `[${name}] ${l}`),
      );
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return child;
  }

  /** `env` overrides the settings below. */
  start(name: string, env: Record<string, string> = {}): ChildProcess {
    const child = this.spawnAggregator(name, {
      SMARTSCALE_WINDOW_MS: String(WINDOW_MS),
      SMARTSCALE_GRACE_MS: String(GRACE_MS),
      SMARTSCALE_HOPPING_WINDOW_MS: String(HOP_MS),
      SMARTSCALE_HOPPING_ADVANCE_MS: String(HOP_ADVANCE_MS),
      // Event times are in the past: keep the wall-clock idle advance out of the way.
      SMARTSCALE_PARTITION_IDLE_MS: '600000',
      ...env,
    });
    this.children.push(child);
    return child;
  }

  /** Windows of the known stream of one kind (flush services left out). */
  emitted(kind: WindowKind = 'tumbling'): WindowMetric[] {
    return this.metrics.filter((m) => !m.service.startsWith('flush-') && windowKind(m) === kind);
  }

  /** Every service's window of this kind starting at `start` has been read back. */
  hasLastWindows(start: number, kind: WindowKind = 'tumbling'): boolean {
    const got = this.emitted(kind);
    return SERVICES.every((s) => got.some((m) => m.service === s && m.windowStart === start));
  }

  /** The same, for the last hopping windows that `flush(seconds)` closes. */
  hasLastHoppingWindows(seconds: number): boolean {
    const lastEnd = flushTime(seconds) - GRACE_MS;
    return this.hasLastWindows(lastEnd - (lastEnd % HOP_ADVANCE_MS) - HOP_MS, 'hopping');
  }

  /** Doubled windows and windows whose count differs from the expected one, as readable lines. */
  check(expected: Map<string, number>, kind: WindowKind = 'tumbling'): { doubled: string[]; wrong: string[] } {
    const emitted = this.emitted(kind);
    const keys = emitted.map((m) => `${m.service}@${m.windowStart}`);
    const doubled = keys.filter((k, i) => keys.indexOf(k) !== i);
    const counts = new Map(emitted.filter((m) => m.count > 0).map((m) => [`${m.service}@${m.windowStart}`, m.count]));
    const wrong = [...expected].filter(([k, n]) => counts.get(k) !== n).map(([k, n]) => `${kind} ${k}: want ${n}, got ${counts.get(k)}`);
    wrong.push(...[...counts.keys()].filter((k) => !expected.has(k)).map((k) => `${kind} ${k}: unexpected`));
    return { doubled, wrong };
  }
}
