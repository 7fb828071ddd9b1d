/**
 * Ingest throughput against the broker's own ceiling, in one run on this machine.
 *
 *   npm run bench:ingest -- --json [--seconds N] [--workers N]
 *
 * Starts the local broker through tools/infra if it is not running, runs the ingest app as it is
 * deployed (dist/apps/ingest/src/main.js, with --workers processes) on 127.0.0.1 (a free port), and
 * drives it from a worker thread with closed-loop requests of 1, 100 and 1000 events for N seconds each. Then, in the same run, Kafka's own
 * ProducerPerformance (acks=all) writes records of the size ingest stores for the best batch size (a
 * service's events of one request share a record) to a topic with the events topic's settings. The
 * ratio is ingest's best events/s over the broker's records/s times the events per record. Last,
 * the best batch size is paced (open loop) at 80% of its sustained rate to measure p99 under load.
 * With --otlp (default on), the same process also takes OpenTelemetry SERVER spans through
 * POST /v1/traces (binary protobuf, 512 spans a request, as an SDK's BatchSpanProcessor sends them) and,
 * right after, the same 512 requests as JSON events through POST /v1/events: spans/s beside events/s.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { MAX_EVENT_RECORD_BYTES, packEvents, TelemetryEvent, TOPICS } from '@smartscale/contracts';
import { createKafka, ensureTopicsLike, withAdmin } from '@smartscale/kafka';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { best, BrokerCeiling, MemorySample, memoryTrend, parseProducerPerformance, SizeSummary, summariseSize } from './bench';
import { infra, runKafkaTool } from '../bench-common/broker';
import { startIngestProcess } from './ingest-process';
import { runLoadWorker } from './load';
import { encodeSpans } from '../loadgen/otlp-spans';

/**
 * The run's own topics, with the events topic's partitions: ProducerPerformance's random bytes and
 * millions of bench events never reach the aggregators, and a run starts on empty topics whatever ran
 * before. Names carry the run's start so leftovers of a killed run are recognised and deleted.
 */
const BENCH_TOPIC_PREFIX = 'smartscale.bench.ingest.';
const RUN = `${BENCH_TOPIC_PREFIX}${Date.now()}`;
const CEILING_TOPIC = `${RUN}.producer-performance`;
const INGEST_TOPIC = `${RUN}.events`;
/**
 * Both topics get the same bound, so neither side of the ratio is favoured: a 10-minute soak writes
 * tens of GB, which the local disk may not hold. Small segments let retention delete as it goes.
 */
const BENCH_TOPIC_CONFIG = [
  { name: 'retention.bytes', value: String(512 * 1024 * 1024) },
  { name: 'segment.bytes', value: String(64 * 1024 * 1024) },
];
const SIZES: { batch: number; concurrency: number }[] = [
  { batch: 1, concurrency: 64 },
  { batch: 100, concurrency: 16 },
  { batch: 1000, concurrency: 8 },
];

/** A request event as a service would send it; ids are assigned by ingest. */
function benchEvent(now: number, i: number): Omit<TelemetryEvent, 'v' | 'id'> {
  return {
    service: `bench-${i % 8}`,
    type: 'request',
    time: now,
    latencyMs: 12.5 + (i % 50),
    status: i % 50 === 0 ? 503 : 200,
    attributes: { route: '/api/items', region: 'eu-west-1' },
  };
}

/** OTLP exporters' default batch (BatchSpanProcessor maxExportBatchSize). */
const OTLP_BATCH = 512;
const OTLP_CONCURRENCY = 8;

/** benchEvent's requests as OTLP SERVER spans, one ResourceSpans per service. */
function benchSpans(now: number, n: number): Buffer {
  return encodeSpans(
    Array.from({ length: n }, (_, i) => {
      const e = benchEvent(now, i);
      return { service: e.service, time: now, latencyMs: e.latencyMs!, status: e.status! };
    }),
  ).body;
}

/** The OTLP body must be taken whole before it is timed: a partial success would count rejected spans. */
async function checkSpansAccepted(url: string, body: Buffer): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  const answer = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200 || answer.length > 0)
    throw new Error(`POST /v1/traces answered ${res.status} with ${answer.length} bytes: the bench body is not fully accepted`);
}

/**
 * Each timed phase starts with the page cache written back: otherwise the broker flushes what the
 * previous phase wrote while the next one runs, and whichever side of the ratio runs second pays for it.
 */
function settle(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

async function ensureBroker(): Promise<boolean> {
  const { kafka } = infra.config();
  if (await infra.kafkaReady(kafka.host, kafka.port).catch(() => false)) return false;
  await infra.up();
  return true;
}

/** Deletes every bench:ingest topic (leftovers of earlier runs too), then creates this run's. */
async function benchTopics(brokers: string[], create: boolean): Promise<void> {
  await withAdmin(createKafka({ brokers, clientId: 'smartscale-bench' }), async (admin) => {
    const old = (await admin.listTopics()).filter((t) => t.startsWith(BENCH_TOPIC_PREFIX) || LEGACY_TOPICS.includes(t));
    if (old.length > 0) await admin.deleteTopics({ topics: old });
    // Same partitions and replication as the events topic, the same bound on both.
    if (create)
      await ensureTopicsLike(
        admin,
        [CEILING_TOPIC, INGEST_TOPIC].map((topic) => ({ topic, like: TOPICS.events, config: BENCH_TOPIC_CONFIG })),
      );
  });
}
/** Fixed names earlier versions wrote to without a bound. */
const LEGACY_TOPICS = ['smartscale.bench.events', 'smartscale.bench.producer-performance'];

function producerPerformance(brokers: string, recordSize: number, numRecords: number): Promise<BrokerCeiling> {
  return runKafkaTool('ProducerPerformance', [
    '--topic',
    CEILING_TOPIC,
    '--num-records',
    String(numRecords),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${brokers}`,
    'acks=all',
  ]).then(parseProducerPerformance);
}

async function main(): Promise<void> {
  const o = new Command('bench-ingest')
    .option('--seconds <n>', 'seconds of load per request size', Number, 10)
    .option('--sizes <list>', 'request sizes to run (events per request), e.g. 1000 for a long soak', (v) => v.split(',').map(Number))
    .option('--paced-seconds <n>', 'seconds of the paced run at 80 % (default: --seconds)', Number)
    .option('--workers <n>', 'ingest processes sharing the port (SMARTSCALE_INGEST_WORKERS)', Number, 1)
    .option(
      '--node-args <args>',
      'node options for the ingest processes, e.g. "--max-semi-space-size=32"',
      (v) => v.split(' ').filter(Boolean),
      [] as string[],
    )
    .option('--no-otlp', 'skip the OTLP phase (spans through POST /v1/traces beside the same requests as events)')
    .option('--json', 'print one JSON object instead of a table')
    .parse()
    .opts<{
      seconds: number;
      sizes?: number[];
      pacedSeconds?: number;
      workers: number;
      nodeArgs: string[];
      otlp: boolean;
      json?: boolean;
    }>();
  const runSizes = o.sizes ? SIZES.filter((s) => o.sizes!.includes(s.batch)) : SIZES;
  if (runSizes.length === 0) throw new Error(`--sizes must name some of ${SIZES.map((s) => s.batch).join(', ')}`);
  const log = (line: string): void => void (o.json ? process.stderr.write(`${line}\n`) : console.log(line));

  const brokerStarted = await ensureBroker();
  const { kafka } = infra.config();
  await benchTopics([kafka.brokers], true);

  // the app's settings, read here too (its record packing sizes the broker's ceiling run)
  const env = {
    SMARTSCALE_KAFKA_BROKERS: kafka.brokers,
    SMARTSCALE_EVENTS_TOPIC: INGEST_TOPIC,
    SMARTSCALE_INGEST_WORKERS: String(o.workers),
  };
  const config = loadIngestConfig(env);
  const ingest = await startIngestProcess(env, log, o.nodeArgs);
  const { url } = ingest;
  const rssBefore = (await ingest.memory()).rss_mb;
  // Sampled through the whole load, so "flat RSS" is a slope after warm-up rather than two points.
  const loadStart = Date.now();
  const memory: MemorySample[] = [];
  const sample = async (): Promise<void> => {
    memory.push({ s: Math.round((Date.now() - loadStart) / 1000), ...(await ingest.memory()) });
  };
  const sampler = setInterval(() => void sample(), 10_000);

  const sizes: SizeSummary[] = [];
  let pacedFromS = Infinity;
  let atEighty: SizeSummary | null = null;
  let otlp: OtlpSummary | null = null;
  try {
    const now = Date.now();
    // Warm-up: connects the producer and lets the JIT compile the hot path before anything is timed.
    await runLoadWorker({
      url,
      body: JSON.stringify(Array.from({ length: 100 }, (_, i) => benchEvent(now, i))),
      batch: 100,
      concurrency: 4,
      seconds: 1,
    });
    for (const { batch, concurrency } of runSizes) {
      const body = JSON.stringify(Array.from({ length: batch }, (_, i) => benchEvent(Date.now(), i)));
      settle();
      const result = summariseSize(await runLoadWorker({ url, body, batch, concurrency, seconds: o.seconds }));
      sizes.push(result);
      log(
        `ingest  batch ${String(batch).padStart(4)} ×${concurrency}: ${result.events_per_s} events/s, ${result.requests_per_s} req/s, p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, failures ${JSON.stringify(result.failures)}`,
      );
    }
    if (o.otlp) otlp = await otlpPhase(url, o.seconds, log);
    // Latency at 80% of the best sustained rate, paced (open loop), with the best batch size.
    const top = best(sizes);
    const body = JSON.stringify(Array.from({ length: top.batch }, (_, i) => benchEvent(Date.now(), i)));
    const requestsPerSecond = Math.max(1, Math.round(0.8 * top.requests_per_s));
    settle();
    pacedFromS = (Date.now() - loadStart) / 1000;
    atEighty = summariseSize(
      await runLoadWorker({ url, body, batch: top.batch, concurrency: 256, seconds: o.pacedSeconds ?? o.seconds, requestsPerSecond }),
    );
    log(
      `ingest  batch ${String(top.batch).padStart(4)} paced at ${requestsPerSecond} req/s (80%): ${atEighty.events_per_s} events/s, p50 ${atEighty.p50_ms} ms, p99 ${atEighty.p99_ms} ms, failures ${JSON.stringify(atEighty.failures)}`,
    );
  } finally {
    clearInterval(sampler);
    await sample();
    await ingest.stop();
  }
  const rssAfter = memory.at(-1)!.rss_mb;

  // The stored form of the best batch size's request, as the broker sees it: ingest packs a service's
  // events into records (libs/contracts event-records.ts), so ProducerPerformance writes records of
  // that mean size, and its records/s times the events per record is the broker's ceiling in events.
  const top = best(sizes);
  const stored = packEvents(
    Array.from({ length: top.batch }, (_, i) => ({ v: 1 as const, ...benchEvent(Date.now(), i), id: randomUUID() })),
    { maxEvents: config.events.eventsPerRecord, maxBytes: MAX_EVENT_RECORD_BYTES },
  );
  const recordSize = Math.round(stored.reduce((n, r) => n + Buffer.byteLength(r.value), 0) / stored.length);
  const eventsPerRecord = top.batch / stored.length;
  // Enough records for about as long as one ingest phase at the broker's pace here (~100 MB/s with
  // large records, ~80k/s with 200-byte ones), a short run being mostly the JVM warming up; at most a
  // minute's worth, so a soak does not write tens of GB more to measure a ceiling.
  const numRecords = Math.max(2_000, Math.round((Math.min(o.seconds, 60) * 100e6) / Math.max(1250, recordSize)));
  settle();
  const ceiling = await producerPerformance(kafka.brokers, recordSize, numRecords);
  await benchTopics([kafka.brokers], false);
  const brokerEvents = Math.round(ceiling.records_per_s * eventsPerRecord);
  log(
    `broker  ProducerPerformance ${recordSize} B records (${eventsPerRecord} events each), acks=all: ${ceiling.records_per_s} records/s = ${brokerEvents} events/s (${ceiling.mb_per_s} MB/s), p99 ${ceiling.p99_ms} ms`,
  );

  const ratio = Math.round((top.events_per_s / brokerEvents) * 1000) / 1000;
  const summary = {
    events_per_s: top.events_per_s,
    best_batch: top.batch,
    p50_ms: top.p50_ms,
    p99_ms: top.p99_ms,
    broker_events_per_s: brokerEvents,
    broker_records_per_s: ceiling.records_per_s,
    events_per_record: eventsPerRecord,
    broker_mb_per_s: ceiling.mb_per_s,
    broker_p99_ms: ceiling.p99_ms,
    ratio,
    at_80pct: atEighty,
    otlp,
    record_size_bytes: recordSize,
    seconds_per_size: o.seconds,
    sizes,
    rss_mb: { before: rssBefore, after: rssAfter },
    // the trend of the closed-loop phases (a soak's steady load); the paced run's samples stay in the series
    memory: { ...memoryTrend(memory.filter((m) => m.s <= pacedFromS)), series: memory },
    workers: o.workers,
    node_args: o.nodeArgs,
    broker_started_by_bench: brokerStarted,
  };
  if (o.json) console.log(JSON.stringify(summary));
  else log(`ratio ingest/broker: ${ratio} (best batch ${top.batch}: ${top.events_per_s} events/s vs ${brokerEvents} events/s)`);
}

interface OtlpSummary {
  spans_per_s: number;
  events_per_s_same_batch: number;
  ratio_spans_to_events: number;
  batch: number;
  concurrency: number;
  traces: SizeSummary;
  events: SizeSummary;
}

/** Spans/s through /v1/traces, then events/s of the same requests through /v1/events, closed loop, same connections. */
async function otlpPhase(eventsUrl: string, seconds: number, log: (line: string) => void): Promise<OtlpSummary> {
  const tracesUrl = eventsUrl.replace(/\/v1\/events$/, '/v1/traces');
  const spans = benchSpans(Date.now(), OTLP_BATCH);
  await checkSpansAccepted(tracesUrl, spans);
  const spansJob = { url: tracesUrl, body: spans, contentType: 'application/x-protobuf', acceptedStatus: 200, batch: OTLP_BATCH };
  await runLoadWorker({ ...spansJob, concurrency: 4, seconds: 1 }); // warm-up
  settle();
  const traces = summariseSize(await runLoadWorker({ ...spansJob, concurrency: OTLP_CONCURRENCY, seconds }));
  log(
    `otlp    /v1/traces ${OTLP_BATCH} spans ×${OTLP_CONCURRENCY} (protobuf): ${traces.events_per_s} spans/s, ${traces.requests_per_s} req/s, p50 ${traces.p50_ms} ms, p99 ${traces.p99_ms} ms, failures ${JSON.stringify(traces.failures)}`,
  );
  const body = JSON.stringify(Array.from({ length: OTLP_BATCH }, (_, i) => benchEvent(Date.now(), i)));
  settle();
  const events = summariseSize(await runLoadWorker({ url: eventsUrl, body, batch: OTLP_BATCH, concurrency: OTLP_CONCURRENCY, seconds }));
  log(
    `otlp    /v1/events ${OTLP_BATCH} events ×${OTLP_CONCURRENCY} (JSON):   ${events.events_per_s} events/s, ${events.requests_per_s} req/s, p50 ${events.p50_ms} ms, p99 ${events.p99_ms} ms, failures ${JSON.stringify(events.failures)}`,
  );
  const ratio = events.events_per_s > 0 ? Math.round((traces.events_per_s / events.events_per_s) * 1000) / 1000 : 0;
  return {
    spans_per_s: traces.events_per_s,
    events_per_s_same_batch: events.events_per_s,
    ratio_spans_to_events: ratio,
    batch: OTLP_BATCH,
    concurrency: OTLP_CONCURRENCY,
    traces,
    events,
  };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
