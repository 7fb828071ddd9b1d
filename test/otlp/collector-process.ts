import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@smartscale/testing';
import { ensureOtelcol, OTELCOL_VERSION } from '../../tools/infra';

/**
 * The OpenTelemetry Collector that tools/infra (otelcol.ts) builds from the Go module proxy (OTLP receiver,
 * batch processor, OTLP/HTTP exporter), run as a child process on a free loopback port with a config
 * written for one test: traces and metrics in over OTLP/HTTP, out to `exportTo` over OTLP/HTTP.
 */
export { OTELCOL_VERSION };

/** Builds the Collector when this checkout has none yet (minutes, once; `npm test` does it before the tests). */
export function ensureCollectorBuilt(): string {
  return ensureOtelcol().otelcol;
}

export interface CollectorOptions {
  /** OTLP/HTTP base URL the exporter sends to (it posts to /v1/traces and /v1/metrics under it). */
  exportTo: string;
  /** Headers the exporter sends with every request, e.g. the API key. */
  headers: Record<string, string>;
}

export interface CollectorProcess {
  /** OTLP/HTTP base URL of the Collector's receiver, for an SDK's exporter endpoint. */
  endpoint: string;
  /** What the Collector logged so far (stdout and stderr, the last 256 KiB). */
  output(): string;
  /** SIGTERM (the Collector flushes its batch and queue), SIGKILL after 15 s; resolves to the exit code. */
  stop(): Promise<number | null>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const OUTPUT_LIMIT = 256 * 1024;

function config(port: number, options: CollectorOptions): object {
  return {
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
    // A short timeout so that the test does not wait for the default 200 ms… 8192-span batches to fill.
    processors: { batch: { timeout: '200ms' } },
    // Default encoding (protobuf) and compression (gzip), as a deployed Collector sends; retries bounded.
    exporters: { otlp_http: { endpoint: options.exportTo, headers: options.headers, retry_on_failure: { max_elapsed_time: '30s' } } },
    service: {
      // No metrics server of its own: it would take port 8888 on the shared machine.
      telemetry: { metrics: { level: 'none' }, logs: { level: 'info', encoding: 'console' } },
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp_http'] },
        metrics: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp_http'] },
      },
    },
  };
}

export async function startCollector(options: CollectorOptions): Promise<CollectorProcess> {
  const binary = ensureCollectorBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'smartscale-otelcol-'));
  const port = await freePort();
  const configFile = join(dir, 'config.yaml');
  // JSON is YAML: the file provider reads it as it is.
  writeFileSync(configFile, JSON.stringify(config(port, options), null, 2));
  const child: ChildProcess = spawn(binary, ['--config', `file:${configFile}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const stop = async (): Promise<number | null> => {
    if (!gone) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited.finally(() => clearTimeout(timer));
    }
    rmSync(dir, { recursive: true, force: true });
    return exited;
  };

  // Ready when the receiver answers an empty export request (a success that exports nothing).
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (gone) {
      await stop();
      throw new Error(`the Collector exited before it was ready:\n${output}`);
    }
    const answer = await fetch(`${endpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }).catch(() => null);
    if (answer?.status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Collector did not answer on ${endpoint} within ${READY_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { endpoint, output: () => output, stop };
}
