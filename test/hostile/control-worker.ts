import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client, Connection } from '@temporalio/client';
import { workflowIdFor } from '@smartscale/contracts';
import { quietRuntime, REPO_ROOT } from '@smartscale/testing';
import { createWorkerApp } from '../../workflows/src/bootstrap';
import { loadWorkerConfig } from '../../workflows/src/config/worker.config';

/**
 * A real worker (control API, Temporal worker on its own task queue, PGlite history) in this process on
 * 127.0.0.1, with no targets of its own: the hostile tests add theirs through the API.
 */
export interface ControlWorker {
  run: string;
  port: number;
  url: string;
  temporal: Client;
  close(): Promise<void>;
}

export async function startControlWorker(env: Record<string, string> = {}): Promise<ControlWorker> {
  quietRuntime();
  const run = `hostile${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const dir = mkdtempSync(join(tmpdir(), 'smartscale-hostile-'));
  writeFileSync(join(dir, 'targets.json'), '[]');
  const config = loadWorkerConfig({
    ...process.env,
    SMARTSCALE_ROOT: REPO_ROOT,
    SMARTSCALE_TASK_QUEUE: `smartscale-controller-${run}`,
    SMARTSCALE_AGGREGATOR_GROUP: `smartscale-aggregator-${run}`,
    SMARTSCALE_TARGETS_FILE: join(dir, 'targets.json'),
    SMARTSCALE_LOCAL_SCALER_STATE_DIR: dir,
    SMARTSCALE_HISTORY_URL: `pglite:${join(dir, 'history')}`,
    // Nothing answers there: these tests need no forecasts.
    SMARTSCALE_PREDICTOR_URL: 'http://127.0.0.1:9',
    ...env,
  });
  const app: NestFastifyApplication = await createWorkerApp(config);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const temporal = new Client({
    connection: await Connection.connect({ address: config.temporal.address }),
    namespace: config.temporal.namespace,
  });
  return {
    run,
    port,
    url: `http://127.0.0.1:${port}`,
    temporal,
    async close() {
      await temporal.connection.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every controller this run added (ids start with the run), ended so that nothing keeps ticking. */
export async function endControllers(worker: ControlWorker, ids: string[]): Promise<void> {
  for (const id of ids)
    await worker.temporal.workflow
      .getHandle(workflowIdFor(id))
      .terminate('hostile test done')
      .catch(() => undefined);
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http, because fetch will not send a chosen Host header: the attacks below are about that header. */
export function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<RawResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { host: `127.0.0.1:${port}`, ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** An HTTP receiver on 127.0.0.1 that counts its calls and answers with `answer`. */
export async function receiver(
  answer: (path: string) => { status: number; headers?: Record<string, string>; body?: string },
): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(req.url ?? '');
      const a = answer(req.url ?? '');
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body ?? '{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
