import { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Producer } from 'kafkajs';
import type { TelemetryEvent, WindowMetric } from '@smartscale/contracts';
import { createIdempotentProducer, createKafka } from '@smartscale/kafka';
import { REPO_ROOT } from '@smartscale/testing';
import { AggregatorHarness, exited } from '../aggregator/harness';

// Support for the aggregator's hostile tests: real-time load on the harness's own topics, aggregator
// processes on the wall clock (the harness's replay settings assume event times in the past), and
// /metrics scraped from them.

export const WINDOW_MS = 1_000;
export const GRACE_MS = 500;
const brokers = (process.env.SMARTSCALE_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/**
 * The aggregator build under test. SMARTSCALE_HOSTILE_AGGREGATOR_MAIN points at another build (say, one
 * of the commit before a fix) to show a test failing there.
 */
const entry = process.env.SMARTSCALE_HOSTILE_AGGREGATOR_MAIN ?? join(REPO_ROOT, 'dist/apps/aggregator/src/main.js');

/** An aggregator on the harness's topics and group, windows of 1 s on the wall clock, /metrics on `port`. */
export function startAggregator(h: AggregatorHarness, name: string, port: number, env: Record<string, string> = {}): ChildProcess {
  return h.spawnAggregator(
    name,
    {
      // Per-batch records would go to the shared batches topic.
      SMARTSCALE_BATCH_RECORDING: 'false',
      SMARTSCALE_AGGREGATOR_METRICS_HOST: '127.0.0.1',
      SMARTSCALE_AGGREGATOR_METRICS_PORT: String(port),
      SMARTSCALE_WINDOW_MS: String(WINDOW_MS),
      SMARTSCALE_GRACE_MS: String(GRACE_MS),
      SMARTSCALE_HOPPING_WINDOW_MS: '0',
      SMARTSCALE_PARTITION_IDLE_MS: '1500',
      SMARTSCALE_SERVICE_IDLE_MS: '5000',
      // The bound ingest applies by default (EVENT_LIMITS.maxFutureSkewMs), stated so the test does not drift with it.
      SMARTSCALE_AGGREGATOR_MAX_FUTURE_MS: '120000',
      ...env,
    },
    entry,
  );
}

/** One sample of the aggregator's /metrics (the first series of that name), or undefined. */
export async function scrape(port: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** A producer of its own, writing one event per record, as ingest stores a single event. */
export class EventWriter {
  private readonly producer: Producer;

  constructor(private readonly topic: string) {
    this.producer = createIdempotentProducer(createKafka({ brokers, clientId: `hostile-writer-${topic}` }));
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** Returns the offset of the first record. */
  async send(partition: number, events: TelemetryEvent[]): Promise<string> {
    const [result] = await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: events.map((e) => ({ partition, key: e.service, value: JSON.stringify(e) })),
    });
    return result.baseOffset ?? '?';
  }
}

/** Steady load of one service on one partition, events dated at the wall clock when sent. */
export class SteadyLoad {
  readonly sent: TelemetryEvent[] = [];
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly writer: EventWriter,
    private readonly partition: number,
    readonly service: string,
    private readonly perSecond: number,
  ) {}

  start(): void {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Events sent per window start. */
  counts(): Map<number, number> {
    const out = new Map<number, number>();
    for (const e of this.sent) {
      const start = e.time - (e.time % WINDOW_MS);
      out.set(start, (out.get(start) ?? 0) + 1);
    }
    return out;
  }

  /** Window starts wholly inside the load (the first and the last window are partial). */
  fullWindows(): number[] {
    const starts = [...this.counts().keys()].sort((a, b) => a - b);
    return starts.slice(1, -1);
  }

  private async run(): Promise<void> {
    const gap = 1_000 / this.perSecond;
    for (let i = 0; !this.stopped; i++) {
      const began = Date.now();
      const e: TelemetryEvent = {
        v: 1,
        id: `${this.service}-${began}-${i}`,
        service: this.service,
        type: 'request',
        time: began,
        latencyMs: 20,
      };
      await this.writer.send(this.partition, [e]);
      this.sent.push(e);
      await sleep(Math.max(0, gap - (Date.now() - began)));
    }
  }
}

/**
 * The service's tumbling windows against what was sent: for each full window of the load, the emitted
 * counts (several when a window was emitted twice, none when never), and every window of any service
 * that was emitted before its end.
 */
export function compare(metrics: readonly WindowMetric[], load: SteadyLoad): { wrong: string[]; fromTheFuture: string[] } {
  const sent = load.counts();
  const wrong: string[] = [];
  for (const start of load.fullWindows()) {
    const got = metrics.filter((m) => m.service === load.service && m.windowStart === start).map((m) => m.count);
    if (got.length !== 1 || got[0] !== sent.get(start))
      wrong.push(`${new Date(start).toISOString()}: sent ${sent.get(start)}, emitted [${got.join(', ')}]`);
  }
  const fromTheFuture = metrics
    .filter((m) => m.windowEnd > m.emittedAt)
    .map((m) => `${m.service}@${new Date(m.windowStart).toISOString()} emitted at ${new Date(m.emittedAt).toISOString()}`);
  return { wrong, fromTheFuture };
}

/**
 * One hostile aggregator test's world: a harness on its own topics and group, an event writer on its events
 * topic, and the aggregators it starts (`children`), all opened before its tests and closed after them, the
 * aggregators killed first.
 */
export function aggregatorSuite(name: string): { h: AggregatorHarness; writer: EventWriter; children: ChildProcess[] } {
  const h = new AggregatorHarness(`${name}${Date.now().toString(36)}`);
  const writer = new EventWriter(h.topics.events);
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    await h.open();
    await writer.connect();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await writer.disconnect();
    await h.close();
  });
  return { h, writer, children };
}
