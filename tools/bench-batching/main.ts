/**
 * Fixed small batches, fixed large batches and the adaptive controller against the same load: low,
 * a 10× spike, low again.
 *
 *   npm run bench:batching -- [--json] [--verbose] [--strategies a,b] [--partitions N] [--low-rate N] [--spike-rate N] [--low-seconds N] [--spike-seconds N] [--after-seconds N]
 *
 * Starts the local broker through tools/infra if it is not running. For each strategy, one aggregator
 * process (the built dist/) on topics and a consumer group of its own; a worker thread produces the
 * load with wall-clock event times; the main thread reads the window results (read_committed) and
 * samples the group's lag. Reports per strategy and phase: latency from when a window could close
 * (end + grace) to its result being readable, peak lag, consumed events/s, and the drain time after the
 * spike; then per phase the best strategy and whether adaptive is within 10 % of it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Command } from 'commander';
import { Kafka } from 'kafkajs';
import { BatchMetricSchema, windowKind, WindowMetric } from '@smartscale/contracts';
import { createKafka, withAdmin } from '@smartscale/kafka';
import { runMain } from '@smartscale/ops';
import { infra, printResult, REPO } from '../bench-common/broker';
import { LagSample, loadPhases, Phase, PhaseSpan, StrategyFigures, strategyFigures, verdicts, WindowRead } from './batching';
import type { LoadJob } from './load.worker';

const WINDOW_MS = 1_000;
const GRACE_MS = 200;
/** After the load, how long a strategy may take to drain before the run stops anyway. */
const DRAIN_LIMIT_MS = 30_000;

/** The settings compared; adaptive moves between the two fixed ones. */
const STRATEGIES: Record<string, Record<string, string>> = {
  'fixed-small': { SMARTSCALE_BATCH_MODE: 'fixed', SMARTSCALE_COMMIT_INTERVAL_MS: '10', SMARTSCALE_BATCH_RECORDS: '100' },
  'fixed-large': { SMARTSCALE_BATCH_MODE: 'fixed', SMARTSCALE_COMMIT_INTERVAL_MS: '1000', SMARTSCALE_BATCH_RECORDS: '20000' },
  adaptive: {
    SMARTSCALE_BATCH_MODE: 'adaptive',
    SMARTSCALE_COMMIT_INTERVAL_MS: '10',
    SMARTSCALE_BATCH_RECORDS: '100',
    SMARTSCALE_BATCH_MIN_INTERVAL_MS: '10',
    SMARTSCALE_BATCH_MAX_INTERVAL_MS: '1000',
    SMARTSCALE_BATCH_MIN_RECORDS: '100',
    SMARTSCALE_BATCH_MAX_RECORDS: '20000',
  },
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function startAggregator(
  name: string,
  topics: { events: string; metrics: string; batches: string },
  brokers: string,
  env: Record<string, string>,
  verbose: boolean,
): ChildProcess {
  return spawn(process.execPath, [join(REPO, 'dist', 'apps', 'aggregator', 'src', 'main.js')], {
    cwd: REPO,
    // --verbose: the aggregator's log (its setting changes among them) on stderr.
    stdio: ['ignore', verbose ? process.stderr : 'ignore', 'inherit'],
    env: {
      ...process.env,
      SMARTSCALE_KAFKA_BROKERS: brokers,
      SMARTSCALE_AGGREGATOR_GROUP: name,
      SMARTSCALE_AGGREGATOR_INSTANCE: name,
      SMARTSCALE_AGGREGATOR_EVENTS_TOPIC: topics.events,
      SMARTSCALE_AGGREGATOR_METRICS_TOPIC: topics.metrics,
      SMARTSCALE_AGGREGATOR_DEAD_LETTER_TOPIC: `${topics.events}.dlq`,
      SMARTSCALE_AGGREGATOR_BATCHES_TOPIC: topics.batches,
      SMARTSCALE_WINDOW_MS: String(WINDOW_MS),
      SMARTSCALE_GRACE_MS: String(GRACE_MS),
      ...env,
    },
  });
}

const stop = (child: ChildProcess): Promise<unknown> =>
  new Promise((ok) => (child.exitCode !== null ? ok(null) : (child.once('exit', ok), child.kill('SIGTERM'))));

/** Runs the load in a worker thread; resolves with the phases as they ran. */
function produceLoad(job: LoadJob, onPhase: (span: PhaseSpan) => void): Promise<PhaseSpan[]> {
  return new Promise((ok, fail) => {
    const worker = new Worker(join(__dirname, 'load.worker.js'), { workerData: job });
    worker.on(
      'message',
      (m: { kind: 'phase'; span: PhaseSpan } | { kind: 'done'; spans: PhaseSpan[] } | { kind: 'error'; message: string }) => {
        if (m.kind === 'phase') onPhase(m.span);
        else if (m.kind === 'done') ok(m.spans);
        else fail(new Error(m.message));
      },
    );
    worker.once('error', fail);
  });
}

/** Every 250 ms: the group's lag, Σ committed offsets, and how far the newest result read trails the wall clock. */
async function sampleLag(
  kafka: Kafka,
  groupId: string,
  topic: string,
  newestEnd: () => number | null,
  samples: LagSample[],
  done: () => boolean,
): Promise<void> {
  await withAdmin(kafka, async (admin) => {
    while (!done()) {
      const [high, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
      const c = new Map((committed?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
      const lag = high.reduce((sum, h) => sum + Math.max(0, Number(h.high) - (c.get(h.partition) ?? 0)), 0);
      const t = Date.now();
      const end = newestEnd();
      samples.push({ t, lag, committed: [...c.values()].reduce((a, b) => a + b, 0), delayMs: end === null ? null : t - end - GRACE_MS });
      await sleep(250);
    }
  });
}

interface RunOptions {
  phases: Phase[];
  /** One transaction per partition and commit: more partitions, more transactions for the same load. */
  partitions: number;
  verbose: boolean;
  log: (line: string) => void;
}

type StrategyRun = StrategyFigures & { commit_intervals_ms: number[] };

async function runStrategy(
  kafka: Kafka,
  brokers: string,
  run: string,
  strategy: string,
  { phases, partitions, verbose, log }: RunOptions,
): Promise<StrategyRun> {
  const base = `smartscale.bench.batching.${run}.${strategy}`;
  const topics = { events: base, metrics: `${base}.metrics`, batches: `${base}.batches` };
  const group = `bench-batching-${run}-${strategy}`;
  await withAdmin(kafka, (admin) =>
    admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.events, numPartitions: partitions },
        ...[topics.metrics, topics.batches, `${topics.events}.dlq`].map((topic) => ({ topic, numPartitions: 1 })),
      ],
    }),
  );
  const windows: WindowRead[] = [];
  // The commit intervals the aggregator ran with, from its batch records (topic of its own).
  const intervals = new Set<number>();
  let newestEnd: number | null = null;
  const reader = kafka.consumer({ groupId: `${group}-reader`, readUncommitted: false, maxWaitTimeInMs: 20 });
  await reader.connect();
  await reader.subscribe({ topics: [topics.metrics, topics.batches], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic, message }) => {
      const value: unknown = JSON.parse(message.value!.toString());
      if (topic === topics.metrics) {
        // The delay a controller sees: tumbling windows only (the hopping ones close with them).
        if (windowKind(value as WindowMetric) !== 'tumbling') return;
        const { windowEnd } = value as WindowMetric;
        windows.push({ windowEnd, readAt: Date.now() });
        newestEnd = Math.max(newestEnd ?? windowEnd, windowEnd);
        return;
      }
      intervals.add(BatchMetricSchema.parse(value).settings.commitIntervalMs);
    },
  });

  const child = startAggregator(group, topics, brokers, STRATEGIES[strategy], verbose);
  // The aggregator joins its group before the load starts: an empty committed group has no members.
  await withAdmin(kafka, async (admin) => {
    const deadline = Date.now() + 30_000;
    while ((await admin.describeGroups([group])).groups[0]?.state !== 'Stable') {
      if (Date.now() > deadline) throw new Error(`${strategy}: the aggregator did not join its group`);
      await sleep(200);
    }
  });
  await sleep(1_000);

  const lag: LagSample[] = [];
  // Results arrive once per window: the delay is a sawtooth up to a window plus the latency.
  const floor = WINDOW_MS + 100;
  let finished = false;
  const sampling = sampleLag(
    kafka,
    group,
    topics.events,
    () => newestEnd,
    lag,
    () => finished,
  );
  const spans = await produceLoad(
    { brokers: [brokers], topic: topics.events, run: `${run}-${strategy}`, partitions, services: 2 * partitions, phases },
    (s) => log(`  ${strategy} ${s.name}: ${s.produced} events in ${((s.end - s.start) / 1000).toFixed(1)} s`),
  );
  // Let the lag drain (bounded), measured against the level before the spike.
  const drainUntil = Date.now() + DRAIN_LIMIT_MS;
  while (Date.now() < drainUntil && strategyFigures(spans, windows, lag, GRACE_MS, floor).drain_s === null) await sleep(250);
  finished = true;
  await sampling;
  await stop(child);
  await reader.disconnect();
  await withAdmin(kafka, async (admin) =>
    admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(base)) }),
  ).catch((err: unknown) => log(`could not delete ${base}*: ${String(err)}`));
  return { ...strategyFigures(spans, windows, lag, GRACE_MS, floor), commit_intervals_ms: [...intervals].sort((a, b) => a - b) };
}

async function main(): Promise<void> {
  const o = new Command('bench-batching')
    .option('--low-rate <n>', 'events/s at low load', Number, 3_000)
    .option('--spike-rate <n>', 'events/s during the spike', Number, 30_000)
    .option('--low-seconds <n>', 'seconds of low load before the spike', Number, 15)
    .option('--spike-seconds <n>', 'seconds of the spike', Number, 15)
    .option('--after-seconds <n>', 'seconds of low load after the spike', Number, 25)
    .option(
      '--strategies <list>',
      'comma-separated subset of fixed-small,fixed-large,adaptive',
      (s: string) => s.split(','),
      Object.keys(STRATEGIES),
    )
    .option('--partitions <n>', 'partitions of the events topic (two services each)', Number, 12)
    .option('--verbose', "the aggregators' logs on stderr")
    .option('--json', 'print one JSON object instead of lines')
    .parse()
    .opts<{
      lowRate: number;
      spikeRate: number;
      lowSeconds: number;
      spikeSeconds: number;
      afterSeconds: number;
      partitions: number;
      strategies: string[];
      verbose?: boolean;
      json?: boolean;
    }>();
  const log = (line: string): void => void (o.json ? process.stderr.write(`${line}\n`) : console.log(line));
  const unknown = o.strategies.filter((s) => !STRATEGIES[s]);
  if (unknown.length > 0) throw new Error(`unknown strategies: ${unknown.join(', ')}`);

  const { kafka: k } = infra.config();
  const brokerStarted = !(await infra.kafkaReady(k.host, k.port).catch(() => false));
  if (brokerStarted) await infra.up();
  const run = Date.now().toString(36);
  const kafka = createKafka({ brokers: [k.brokers], clientId: `bench-batching-${run}` });
  const phases = loadPhases(o.lowRate, o.spikeRate, o.lowSeconds, o.spikeSeconds, o.afterSeconds);

  const strategies: Record<string, StrategyRun> = {};
  for (const s of o.strategies) {
    log(
      `${s}: ${Object.entries(STRATEGIES[s])
        .map(([key, v]) => `${key.replace('SMARTSCALE_', '')}=${v}`)
        .join(' ')}`,
    );
    strategies[s] = await runStrategy(kafka, k.brokers, run, s, { phases, partitions: o.partitions, verbose: o.verbose === true, log });
    const f = strategies[s];
    log(
      `  low p50/p99 ${f.phases.low.latency_p50_ms}/${f.phases.low.latency_p99_ms} ms, spike peak lag ${f.phases.spike.peak_lag} / delay ${f.phases.spike.peak_delay_ms} ms, p99 ${f.phases.spike.latency_p99_ms} ms, consumed ${f.phases.spike.consumed_events_per_s} ev/s, drain ${f.drain_s} s, after p50/p99 ${f.phases.after.latency_p50_ms}/${f.phases.after.latency_p99_ms} ms, intervals ${f.commit_intervals_ms.join(',')}`,
    );
  }
  const result = {
    load: phases,
    window_ms: WINDOW_MS,
    grace_ms: GRACE_MS,
    partitions: o.partitions,
    settings: Object.fromEntries(o.strategies.map((s) => [s, STRATEGIES[s]])),
    strategies,
    verdicts: o.strategies.includes('adaptive') ? verdicts(strategies) : null,
    broker_started: brokerStarted,
  };
  printResult(result, o.json, log);
}

runMain(main);
