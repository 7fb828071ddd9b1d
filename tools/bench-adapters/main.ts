/**
 * Which HTTP adapter Nest should serve ingest with, measured here rather than assumed.
 *
 *   npm run bench:adapters -- --json [--seconds N]
 *
 * Starts the same one-route Nest app (server.ts) on the Express and on the Fastify adapter, one at a
 * time in its own process, and drives each with the load worker bench:ingest uses (closed loop, raw
 * keep-alive connections) with bodies of 1 and 100 events. No broker: this measures the HTTP path alone,
 * which is what the adapter changes. Prints requests/s per adapter and Fastify's ratio over Express.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Command } from 'commander';
import { SizeSummary, summariseSize } from '../bench-ingest/bench';
import { freePort } from '@smartscale/testing';
import { runLoadWorker } from '../bench-ingest/load';
import { printResult } from '../bench-common/broker';

const ADAPTERS = ['express', 'fastify'] as const;
const SIZES = [
  { batch: 1, concurrency: 64 },
  { batch: 100, concurrency: 16 },
];

const event = (i: number): Record<string, unknown> => ({
  service: `bench-${i % 8}`,
  type: 'request',
  time: Date.now(),
  latencyMs: 12.5,
  status: 200,
  attributes: { route: '/api/items', region: 'eu-west-1' },
});

async function measure(adapter: (typeof ADAPTERS)[number], seconds: number): Promise<SizeSummary[]> {
  const port = await freePort();
  const server = fork(join(__dirname, 'server.js'), [adapter, String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await new Promise<void>((ok, fail) => {
      server.once('message', () => ok());
      server.once('exit', (code) => fail(new Error(`${adapter} server exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/v1/events`;
    await runLoadWorker({ url, body: JSON.stringify([event(0)]), batch: 1, concurrency: 8, seconds: 1 }); // warm-up
    const out: SizeSummary[] = [];
    for (const { batch, concurrency } of SIZES) {
      const body = JSON.stringify(batch === 1 ? event(0) : Array.from({ length: batch }, (_, i) => event(i)));
      out.push(summariseSize(await runLoadWorker({ url, body, batch, concurrency, seconds })));
    }
    return out;
  } finally {
    server.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const o = new Command('bench-adapters')
    .option('--seconds <n>', 'seconds per adapter and body size', Number, 10)
    .option('--json', 'one JSON object')
    .parse()
    .opts<{ seconds: number; json?: boolean }>();
  const log = (line: string): void => void (o.json ? process.stderr.write(`${line}\n`) : console.log(line));
  const results: Record<string, SizeSummary[]> = {};
  for (const adapter of ADAPTERS) {
    results[adapter] = await measure(adapter, o.seconds);
    for (const s of results[adapter])
      log(
        `${adapter.padEnd(7)} ${String(s.batch).padStart(3)}-event bodies: ${s.requests_per_s} req/s, p99 ${s.p99_ms} ms, failures ${JSON.stringify(s.failures)}`,
      );
  }
  const ratio = SIZES.map((_, i) => ({
    batch: SIZES[i].batch,
    fastify_over_express: Math.round((results.fastify[i].requests_per_s / results.express[i].requests_per_s) * 100) / 100,
  }));
  printResult({ adapters: results, ratio, seconds: o.seconds }, o.json, log);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
