import cluster, { Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';
import { AggregatorRegistry, Registry } from 'prom-client';
import { runMain } from './http-app';

/**
 * Several processes of one app behind one port (node:cluster; the primary hands out connections in
 * turn). One Node process serves on one core: the ingest API's JSON work saturates it while the
 * machine's other cores idle. The primary only supervises: it starts `workers` copies of the app,
 * starts another when one dies, sums their /metrics, and on SIGTERM or SIGINT asks each to drain
 * (Nest's shutdown hooks: requests in flight are answered and acknowledged first) and exits after them.
 */
const SHUTDOWN = 'smartscale:shutdown';
const METRICS_ASK = 'smartscale:metrics?';
const METRICS_ANSWER = 'smartscale:metrics';
/** A worker that dies this soon after its start, this many times in a row, stops the app: it cannot start. */
const QUICK_EXIT_MS = 10_000;
const QUICK_EXITS_TO_GIVE_UP = 3;
const DRAIN_LIMIT_MS = 30_000;

interface Message {
  type?: string;
  id?: number;
  text?: string;
  error?: string;
}

/** Runs `main` in `workers` processes (1: in this one, no cluster). `main` runs in each worker. */
export function runClustered(name: string, workers: number, main: () => Promise<void>): void {
  if (workers <= 1 || !cluster.isPrimary) {
    if (cluster.isWorker) {
      let started = false;
      // The primary's shutdown request: the same path as a signal (Nest's hooks drain, then exit). If a
      // terminal's Ctrl-C already reached this worker, Nest's listener is gone and this does nothing;
      // a worker still starting has accepted nothing and just exits.
      process.on('message', (m: Message) => {
        if (m?.type !== SHUTDOWN) return;
        if (!started) process.exit(0);
        process.emit('SIGTERM' as never);
      });
      runMain(() => main().then(() => void (started = true)));
      return;
    }
    runMain(main);
    return;
  }
  const logger = new Logger(name);
  serveClusterMetrics();
  let stopping = false;
  let exitCode = 0;
  let quickExits = 0;
  /** Start time of each live worker (by cluster id), for telling a crash loop from a late death. */
  const started = new Map<number, number>();
  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
  const fork = (): void => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
  };
  cluster.on('exit', (worker, code, signal) => {
    const startedAt = started.get(worker.id) ?? 0;
    started.delete(worker.id);
    if (stopping) {
      if (live().length === 0) process.exit(exitCode);
      return;
    }
    quickExits = Date.now() - startedAt < QUICK_EXIT_MS ? quickExits + 1 : 0;
    if (quickExits >= QUICK_EXITS_TO_GIVE_UP) {
      logger.error(`workers keep exiting right after their start (last: ${signal ?? code}); stopping`);
      exitCode = 1;
      stop();
      return;
    }
    logger.warn(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    // not once a stop has begun meanwhile: that worker would never be asked to drain
    setTimeout(() => stopping || fork(), 500);
  });
  function stop(): void {
    if (stopping) return;
    stopping = true;
    for (const w of live()) if (w.isConnected()) w.send({ type: SHUTDOWN });
    if (live().length === 0) process.exit(exitCode);
    // bounded: a worker that has not drained by then (its produce deadline is seconds) is killed
    setTimeout(() => {
      logger.error(`workers still running ${DRAIN_LIMIT_MS / 1000} s after the stop; killing them`);
      for (const w of live()) w.process.kill('SIGKILL');
      process.exit(exitCode || 1);
    }, DRAIN_LIMIT_MS).unref();
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let i = 0; i < workers; i++) fork();
  logger.log(`${workers} workers`);
}

/** In the primary: answers a worker's /metrics with the sum over every worker (prom-client's aggregation). */
function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, m: Message) => {
    if (m?.type !== METRICS_ASK) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_ANSWER, id: m.id, text }),
      (err: Error) => worker.send({ type: METRICS_ANSWER, id: m.id, error: err.message }),
    );
  });
}

/**
 * What /metrics answers: this process's registry, or, in a worker of a clustered app, every worker's
 * registry summed by the primary (a scrape lands on one worker, and must count the whole app).
 */
export function metricsText(registry: Registry): () => Promise<string> {
  if (!cluster.isWorker || !process.send) return () => registry.metrics();
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs prom-client's answer to the primary's collection
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  let next = 0;
  process.on('message', (m: Message) => {
    if (m?.type !== METRICS_ANSWER || m.id === undefined) return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(`cluster metrics: ${m.error}`));
    else w?.resolve(m.text ?? '');
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('cluster metrics: the primary did not answer'));
      }, 6_000);
      waiting.set(id, {
        resolve: (text) => (clearTimeout(timer), resolve(text)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      process.send!({ type: METRICS_ASK, id });
    });
}
