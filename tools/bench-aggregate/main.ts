/**
 * Consume-to-emit throughput and close latency of the aggregator, against the broker's own ceiling.
 *
 *   npm run bench:aggregate -- [--json] [--seconds N] [--events N] [--events-per-record N]
 *
 * Starts the local broker through tools/infra if it is not running. Pre-loads a topic of its own (6
 * partitions, like the events topic) with --events events, packed as ingest stores them, then for one and for two aggregator
 * processes (the built dist/, real consumer-group members with transactional output) measures events
 * per second from the first window read back on the output topic (read_committed) to the last, with
 * the CPU seconds of each process and of the broker. Kafka's ConsumerPerformance reads the same topic
 * in the same run as the ceiling. A live phase then sends events stamped with the wall clock for
 * --seconds and measures, per window, the time from its end plus grace to its result being readable.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { Kafka, Producer } from 'kafkajs';
import {
  DEFAULT_EVENTS_PER_RECORD,
  MAX_EVENT_RECORD_BYTES,
  packEvents,
  TelemetryEvent,
  windowKind,
  WindowMetric,
} from '@smartscale/contracts';
import { createKafka } from '@smartscale/kafka';
import { ConsumerCeiling, cpuSecondsFromStat, parseConsumerPerformance, percentile } from './bench';
import { runMain } from '@smartscale/ops';
import { infra, printResult, REPO, runKafkaTool } from '../bench-common/broker';

const PARTITIONS = 6;
const SERVICES = 12;
const WINDOW_MS = 1_000;
const GRACE_MS = 500;

const cpuOf = (pid: number | undefined): number => {
  try {
    return pid ? cpuSecondsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) : 0;
  } catch {
    return 0;
  }
};
const brokerPid = (): number | undefined => {
  try {
    return Number(readFileSync(join(REPO, '.smartscale', 'run', 'kafka.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
};

function eventObject(run: string, i: number, time: number): TelemetryEvent {
  const service = `bench-${i % SERVICES}`;
  return {
    v: 1,
    id: `${run}-${i}`,
    service,
    type: i % 50 === 0 ? 'error' : 'request',
    time,
    latencyMs: 5 + (i % 200),
    status: i % 50 === 0 ? 503 : 200,
  };
}

const event = (run: string, i: number, time: number): string => JSON.stringify(eventObject(run, i, time));

const partitionOf = (i: number): number => (i % SERVICES) % PARTITIONS;

async function createTopics(kafka: Kafka, topics: { topic: string; numPartitions: number }[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics });
  await admin.disconnect();
}

/**
 * Pre-loads events spread over event time at 1,000 events per second of event time per service,
 * stored as ingest stores them: a service's events share records of up to `perRecord` (1 = a record
 * per event). Returns the number of records written.
 */
async function preload(producer: Producer, topic: string, run: string, events: number, t0: number, perRecord: number): Promise<number> {
  const batch = 5_000;
  const inFlight: Promise<unknown>[] = [];
  let records = 0;
  for (let start = 0; start < events; start += batch) {
    const group = [];
    for (let i = start; i < Math.min(events, start + batch); i++) group.push(eventObject(run, i, t0 + Math.floor(i / SERVICES)));
    // A record's key is its service, bench-<i % SERVICES>: the partition of any of its events.
    const messages = packEvents(group, { maxEvents: perRecord, maxBytes: MAX_EVENT_RECORD_BYTES }).map((r) => ({
      partition: partitionOf(Number(r.key.slice('bench-'.length))),
      key: r.key,
      value: r.value,
    }));
    records += messages.length;
    inFlight.push(producer.send({ topic, acks: 1, messages }));
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  // One event per partition past the last window plus grace, so that every window closes.
  const end = t0 + Math.floor(events / SERVICES) + WINDOW_MS + GRACE_MS + 1;
  await producer.send({
    topic,
    acks: 1,
    messages: [...Array(PARTITIONS).keys()].map((p) => ({
      partition: p,
      key: `flush-${p}`,
      value: JSON.stringify({ v: 1, id: `flush-${p}`, service: `flush-${p}`, type: 'request', time: end }),
    })),
  });
  return records + PARTITIONS;
}

function startAggregators(n: number, run: string, topics: { events: string; metrics: string }, brokers: string): ChildProcess[] {
  return [...Array(n).keys()].map((k) =>
    spawn(process.execPath, [join(REPO, 'dist', 'apps', 'aggregator', 'src', 'main.js')], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        SMARTSCALE_KAFKA_BROKERS: brokers,
        SMARTSCALE_AGGREGATOR_GROUP: `bench-aggregator-${run}`,
        SMARTSCALE_AGGREGATOR_INSTANCE: `bench-aggregator-${run}-${k}`,
        SMARTSCALE_AGGREGATOR_EVENTS_TOPIC: topics.events,
        SMARTSCALE_AGGREGATOR_METRICS_TOPIC: topics.metrics,
        SMARTSCALE_AGGREGATOR_DEAD_LETTER_TOPIC: `${topics.events}.dlq`,
        SMARTSCALE_WINDOW_MS: String(WINDOW_MS),
        SMARTSCALE_GRACE_MS: String(GRACE_MS),
        SMARTSCALE_PARTITION_IDLE_MS: '600000',
      },
    }),
  );
}

const stop = (children: ChildProcess[]): Promise<unknown> =>
  Promise.all(children.map((c) => new Promise((ok) => (c.exitCode !== null ? ok(null) : (c.once('exit', ok), c.kill('SIGTERM'))))));

/**
 * Reads the output topic (read_committed) and calls back per tumbling window with the time it became
 * readable. The hopping windows are emitted too (their cost is part of the throughput), and skipped here.
 */
async function readWindows(kafka: Kafka, topic: string, onWindow: (m: WindowMetric, readAt: number) => void): Promise<() => Promise<void>> {
  const consumer = kafka.consumer({ groupId: `bench-reader-${topic}`, readUncommitted: false, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const m = JSON.parse(message.value!.toString()) as WindowMetric;
      if (windowKind(m) === 'tumbling') onWindow(m, Date.now());
    },
  });
  return () => consumer.disconnect();
}

async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface ProcessRun {
  processes: number;
  /** From the first window read back to the last: includes any rebalance while the members join. */
  events_per_s: number;
  /** Committed-offset rate once the group is stable with every process in it, until 90 % is committed. */
  steady_events_per_s: number | null;
  seconds: number;
  aggregator_cpu_s: number[];
  broker_cpu_s: number;
}

async function throughput(
  kafka: Kafka,
  brokers: string,
  run: string,
  eventsTopic: string,
  t0: number,
  events: number,
  records: number,
  processes: number,
): Promise<ProcessRun> {
  const metrics = `${eventsTopic}.metrics.${processes}`;
  await createTopics(kafka, [
    { topic: metrics, numPartitions: 1 },
    ...(processes === 1 ? [{ topic: `${eventsTopic}.dlq`, numPartitions: 1 }] : []),
  ]);
  const lastTime = t0 + Math.floor((events - 1) / SERVICES);
  const lastStart = lastTime - (lastTime % WINDOW_MS);
  let first = 0;
  let last = 0;
  const finished = new Set<string>();
  const close = await readWindows(kafka, metrics, (m, readAt) => {
    if (m.service.startsWith('flush-')) return;
    first ||= readAt;
    if (m.windowStart >= lastStart) {
      finished.add(m.service);
      last = readAt;
    }
  });
  const broker = brokerPid();
  const brokerBefore = cpuOf(broker);
  const children = startAggregators(processes, `${run}-${processes}`, { events: eventsTopic, metrics }, brokers);
  const steady = sampleSteadyRate(
    kafka,
    `bench-aggregator-${run}-${processes}`,
    eventsTopic,
    processes,
    records,
    events / records,
    () => finished.size >= SERVICES,
  );
  await until('the last window of every service', () => finished.size >= SERVICES, 300_000);
  const steadyRate = await steady;
  const cpu = children.map((c) => cpuOf(c.pid));
  const brokerCpu = cpuOf(broker) - brokerBefore;
  await stop(children);
  await close();
  const seconds = (last - first) / 1000;
  return {
    processes,
    events_per_s: Math.round(events / seconds),
    steady_events_per_s: steadyRate,
    seconds,
    aggregator_cpu_s: cpu,
    broker_cpu_s: Math.round(brokerCpu * 10) / 10,
  };
}

/**
 * Samples the group's committed offsets every 100 ms: events/s (records, times events per record) from
 * the first sample with every member in a stable group, while most of the topic is unread.
 */
async function sampleSteadyRate(
  kafka: Kafka,
  groupId: string,
  topic: string,
  members: number,
  records: number,
  perRecord: number,
  done: () => boolean,
): Promise<number | null> {
  const admin = kafka.admin();
  await admin.connect();
  let start: { t: number; sum: number } | null = null;
  let end: { t: number; sum: number } | null = null;
  try {
    while (!done()) {
      const [{ state, members: m }] = (await admin.describeGroups([groupId])).groups;
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const sum = (offsets?.partitions ?? []).reduce((acc, x) => acc + Math.max(0, Number(x.offset)), 0);
      const sample = { t: Date.now(), sum };
      if (state === 'Stable' && m.length === members) {
        start ??= sample;
        if (sum < records * 0.9) end = sample;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
  return start && end && end.t > start.t ? Math.round(((end.sum - start.sum) * perRecord * 1000) / (end.t - start.t)) : null;
}

function consumerPerformance(brokers: string, topic: string, messages: number): Promise<ConsumerCeiling> {
  return runKafkaTool('ConsumerPerformance', [
    '--bootstrap-server',
    brokers,
    '--topic',
    topic,
    '--num-records',
    String(messages),
    '--timeout',
    '60000',
  ]).then(parseConsumerPerformance);
}

/** Live events stamped with the wall clock: latency from a window's end plus grace to its result being readable. */
async function closeLatency(
  kafka: Kafka,
  producer: Producer,
  brokers: string,
  run: string,
  seconds: number,
  rate: number,
): Promise<number[]> {
  const topics = { events: `smartscale.bench.aggregate.${run}.live`, metrics: `smartscale.bench.aggregate.${run}.live.metrics` };
  await createTopics(kafka, [
    { topic: topics.events, numPartitions: PARTITIONS },
    { topic: topics.metrics, numPartitions: 1 },
    { topic: `${topics.events}.dlq`, numPartitions: 1 },
  ]);
  const latencies: number[] = [];
  let started = 0;
  const close = await readWindows(kafka, topics.metrics, (m, readAt) => {
    if (started && m.windowStart >= started + WINDOW_MS) latencies.push(readAt - (m.windowEnd + GRACE_MS));
  });
  const children = startAggregators(1, `${run}-live`, topics, brokers);
  await new Promise((r) => setTimeout(r, 4_000)); // the process boots and joins its group before the clock starts
  started = Date.now();
  let i = 0;
  const tickMs = 50;
  while (Date.now() - started < seconds * 1000) {
    const now = Date.now();
    const messages = [...Array(Math.round((rate * tickMs) / 1000)).keys()].map(() => ({
      partition: partitionOf(i),
      key: `bench-${i % SERVICES}`,
      value: event(`${run}-live`, i++, now),
    }));
    await producer.send({ topic: topics.events, acks: 1, messages });
    await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - now))));
  }
  // Keep stream time moving past the last windows' grace with one event per partition and second.
  for (let k = 0; k < 3; k++) {
    await producer.send({
      topic: topics.events,
      acks: 1,
      messages: [...Array(PARTITIONS).keys()].map((p) => ({
        partition: p,
        key: `tick-${p}`,
        value: event(`${run}-tick${k}`, p, Date.now()),
      })),
    });
    await new Promise((r) => setTimeout(r, 1_000));
  }
  await stop(children);
  await close();
  return latencies;
}

async function main(): Promise<void> {
  const o = new Command('bench-aggregate')
    .option('--seconds <n>', 'seconds of the live close-latency phase', Number, 10)
    .option('--events <n>', 'events pre-loaded for the throughput phase', Number, 600_000)
    .option(
      '--events-per-record <n>',
      "a service's events per stored record, as ingest packs them (1 = a record per event)",
      Number,
      DEFAULT_EVENTS_PER_RECORD,
    )
    .option('--json', 'print one JSON object instead of lines')
    .parse()
    .opts<{ seconds: number; events: number; eventsPerRecord: number; json?: boolean }>();
  const log = (line: string): void => void (o.json ? process.stderr.write(`${line}\n`) : console.log(line));

  const { kafka: k } = infra.config();
  const brokerStarted = !(await infra.kafkaReady(k.host, k.port).catch(() => false));
  if (brokerStarted) await infra.up();
  const run = Date.now().toString(36);
  const kafka = createKafka({ brokers: [k.brokers], clientId: `bench-aggregate-${run}` });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();

  const eventsTopic = `smartscale.bench.aggregate.${run}`;
  await createTopics(kafka, [{ topic: eventsTopic, numPartitions: PARTITIONS }]);
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 86_400_000;
  const loadStart = Date.now();
  const records = await preload(producer, eventsTopic, run, o.events, t0, o.eventsPerRecord);
  log(`pre-loaded ${o.events} events in ${records} records in ${((Date.now() - loadStart) / 1000).toFixed(1)} s`);

  // The broker's ceiling in events: ConsumerPerformance reads records, each holding this many events.
  const perRecord = o.events / records;
  const ceiling = await consumerPerformance(k.brokers, eventsTopic, records);
  const brokerEvents = Math.round(ceiling.fetch_messages_per_s * perRecord);
  log(
    `ConsumerPerformance: ${Math.round(ceiling.fetch_messages_per_s)} records/s (fetch) = ${brokerEvents} events/s at ${perRecord.toFixed(1)} per record, ${Math.round(ceiling.messages_per_s)} records/s with the group join`,
  );
  const runs: ProcessRun[] = [];
  for (const n of [1, 2]) {
    const r = await throughput(kafka, k.brokers, run, eventsTopic, t0, o.events, records, n);
    runs.push(r);
    log(
      `${n} process(es): ${r.events_per_s} events/s over ${r.seconds.toFixed(1)} s (steady ${r.steady_events_per_s}); CPU s aggregator ${r.aggregator_cpu_s.join(' + ')}, broker ${r.broker_cpu_s}`,
    );
  }
  const latencies = await closeLatency(kafka, producer, k.brokers, run, o.seconds, 20_000);
  await producer.disconnect();
  // The run's topics (names start with the events topic's) would otherwise pile up on the local broker.
  const admin = kafka.admin();
  await admin.connect();
  await admin
    .deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(eventsTopic)) })
    .catch((err: unknown) => log(`could not delete the run's topics: ${String(err)}`));
  await admin.disconnect();

  const one = runs[0];
  const result = {
    events: o.events,
    events_per_s: one.events_per_s,
    events_per_s_two_processes: runs[1].events_per_s,
    scale_out: Math.round((runs[1].events_per_s / one.events_per_s) * 100) / 100,
    steady_events_per_s: one.steady_events_per_s,
    steady_events_per_s_two_processes: runs[1].steady_events_per_s,
    steady_scale_out:
      one.steady_events_per_s && runs[1].steady_events_per_s
        ? Math.round((runs[1].steady_events_per_s / one.steady_events_per_s) * 100) / 100
        : null,
    events_per_record: Math.round(perRecord * 10) / 10,
    broker_records_per_s: Math.round(ceiling.fetch_messages_per_s),
    broker_events_per_s: brokerEvents,
    broker_events_per_s_with_join: Math.round(ceiling.messages_per_s * perRecord),
    ratio: Math.round((one.events_per_s / brokerEvents) * 100) / 100,
    close_latency_p50_ms: percentile(latencies, 50),
    close_latency_p99_ms: percentile(latencies, 99),
    close_latency_windows: latencies.length,
    window_ms: WINDOW_MS,
    grace_ms: GRACE_MS,
    runs,
    broker_started: brokerStarted,
  };
  printResult(result, o.json, log);
}

runMain(main);
