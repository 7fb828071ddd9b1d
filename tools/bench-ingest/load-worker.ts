import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadResult } from './bench';

/**
 * Closed-loop load from a worker thread, so the client's event loop does not compete with the ingest
 * app's in the main thread: `concurrency` loops each POST the same body back to back until the deadline.
 * node:http with a keep-alive agent rather than fetch: fetch cost about 1 ms of CPU per request here,
 * which made the client, not the API, the limit for single-event requests.
 */
interface Job {
  url: string;
  body: string;
  batch: number;
  concurrency: number;
  seconds: number;
  /** Open loop: send this many requests per second whatever the answers (at most `concurrency` waiting). */
  requestsPerSecond?: number;
}

/** Open-loop requests not sent because too many were already waiting. */
let skipped = 0;

async function run(job: Job): Promise<LoadResult> {
  const result: LoadResult = { batch: job.batch, concurrency: job.concurrency, seconds: job.seconds, requests: 0, accepted: 0, failures: {}, latenciesMs: [] };
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const body = Buffer.from(job.body);
  const start = performance.now();
  const deadline = start + job.seconds * 1000;
  const once = async (): Promise<void> => {
    const t0 = performance.now();
    let status = 'error';
    try {
      status = String(await post(agent, job.url, body));
    } catch {
      // counted as "error" below
    }
    result.requests += 1;
    if (status === '202') {
      result.accepted += 1;
      result.latenciesMs.push(performance.now() - t0);
    } else result.failures[status] = (result.failures[status] ?? 0) + 1;
  };
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) await once();
  };
  await (job.requestsPerSecond ? openLoop(job.requestsPerSecond, deadline, job.concurrency, once) : Promise.all(Array.from({ length: job.concurrency }, loop)));
  // Requests in flight at the deadline still count, so the rate is over the time they took.
  result.seconds = (performance.now() - start) / 1000;
  agent.destroy();
  if (skipped > 0) result.failures.skipped = skipped;
  return result;
}

/**
 * Requests at a fixed pace, so latency is measured at a given load rather than at saturation (where a
 * closed loop measures mostly its own queue). Requests that would exceed `maxWaiting` are not sent and
 * count as "skipped": the rate was not sustainable.
 */
async function openLoop(perSecond: number, deadline: number, maxWaiting: number, once: () => Promise<void>): Promise<void> {
  const start = performance.now();
  const waiting = new Set<Promise<void>>();
  let sent = 0;
  while (performance.now() < deadline) {
    const due = Math.floor(((performance.now() - start) / 1000) * perSecond) - sent;
    for (let i = 0; i < due; i++) {
      sent += 1;
      if (waiting.size >= maxWaiting) {
        skipped += 1;
        continue;
      }
      const p: Promise<void> = once().finally(() => waiting.delete(p));
      waiting.add(p);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(waiting);
}

function post(agent: Agent, url: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length }, timeout: 30_000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

run(workerData as Job).then(
  (r) => parentPort?.postMessage(r),
  (err: unknown) => {
    throw err;
  },
);
