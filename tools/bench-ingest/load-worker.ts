import { parentPort, workerData } from 'node:worker_threads';
import { buildPost, RawHttpConnection } from '../bench-common/raw-http';
import type { LoadResult } from './bench';
import type { LoadJob as Job } from './load';

/** Open-loop requests not sent because too many were already waiting. */
let skipped = 0;

/**
 * Closed-loop load from a worker thread, so the client's event loop is not the benchmark's main one:
 * `concurrency` loops each POST the same body back to back until the deadline,
 * each on its own keep-alive connection. A raw client (bench-common/raw-http.ts) rather than fetch (about
 * 1 ms of CPU per request here) or node:http (about 100 µs): the client shares the server's two cores,
 * and for single-event requests it was taking a third of them.
 */
async function run(job: Job): Promise<LoadResult> {
  const result: LoadResult = {
    batch: job.batch,
    concurrency: job.concurrency,
    seconds: job.seconds,
    requests: 0,
    accepted: 0,
    failures: {},
    latenciesMs: [],
  };
  const url = new URL(job.url);
  const request = buildPost(url, typeof job.body === 'string' ? Buffer.from(job.body) : Buffer.from(job.body), job.contentType);
  const accepted = String(job.acceptedStatus ?? 202);
  const idle = Array.from({ length: job.concurrency }, () => new RawHttpConnection(url.hostname, Number(url.port)));
  const connections = [...idle];
  const start = performance.now();
  const deadline = start + job.seconds * 1000;
  const once = async (): Promise<void> => {
    const connection = idle.pop();
    if (!connection) {
      skipped += 1;
      return;
    }
    const t0 = performance.now();
    let status = 'error';
    try {
      status = String(await connection.send(request));
    } catch {
      // counted as "error" below
    } finally {
      idle.push(connection);
    }
    result.requests += 1;
    if (status === accepted) {
      result.accepted += 1;
      result.latenciesMs.push(performance.now() - t0);
    } else result.failures[status] = (result.failures[status] ?? 0) + 1;
  };
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) await once();
  };
  await (job.requestsPerSecond
    ? openLoop(job.requestsPerSecond, deadline, once)
    : Promise.all(Array.from({ length: job.concurrency }, loop)));
  // Requests in flight at the deadline still count, so the rate is over the time they took.
  result.seconds = (performance.now() - start) / 1000;
  connections.forEach((c) => c.close());
  if (skipped > 0) result.failures.skipped = skipped;
  return result;
}

/**
 * Requests at a fixed pace, so latency is measured at a given load rather than at saturation (where a
 * closed loop measures mostly its own queue). A request due while every connection is waiting is not
 * sent and counts as "skipped": the rate was not sustainable.
 */
async function openLoop(perSecond: number, deadline: number, once: () => Promise<void>): Promise<void> {
  const start = performance.now();
  const waiting = new Set<Promise<void>>();
  let sent = 0;
  while (performance.now() < deadline) {
    const due = Math.floor(((performance.now() - start) / 1000) * perSecond) - sent;
    for (let i = 0; i < due; i++) {
      sent += 1;
      const p: Promise<void> = once().finally(() => waiting.delete(p));
      waiting.add(p);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(waiting);
}

run(workerData as Job).then(
  (r) => parentPort?.postMessage(r),
  (err: unknown) => {
    throw err;
  },
);
