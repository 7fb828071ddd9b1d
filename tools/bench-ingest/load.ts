import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LoadResult } from './bench';

export interface LoadJob {
  url: string;
  /** A JSON body as text, or any body as bytes (with its contentType). */
  body: string | Uint8Array;
  /** Default application/json. */
  contentType?: string;
  /** The status that means stored: 202 for /v1/events (default), 200 for OTLP. */
  acceptedStatus?: number;
  batch: number;
  concurrency: number;
  seconds: number;
  /** Open loop: this many requests per second whatever the answers (a request due while every connection waits is skipped). */
  requestsPerSecond?: number;
}

/** Runs load-worker.ts on a worker thread, so the client's event loop is not the measured one. */
export function runLoadWorker(job: LoadJob): Promise<LoadResult> {
  return new Promise((ok, fail) => {
    const worker = new Worker(join(__dirname, 'load-worker.js'), { workerData: job });
    worker.once('message', (r: LoadResult) => ok(r));
    worker.once('error', fail);
    worker.once('exit', (code) => (code === 0 ? undefined : fail(new Error(`load worker exited with ${code}`))));
  });
}
