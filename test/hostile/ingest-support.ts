import { createHash } from 'node:crypto';
import { connect, Socket } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createKafka, withAdmin } from '@smartscale/kafka';
import { createIngestApp } from '../../apps/ingest/src/bootstrap';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';

// What the hostile ingest tests share: a real ingest app (the Nest/Fastify app main.ts serves) on a free
// loopback port, writing to a topic of its own on the real broker, and raw sockets for what no
// well-behaved HTTP client would send.

export const brokers = [loadIngestConfig(process.env).kafka.brokers].flat();

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface HostileIngest {
  app: NestFastifyApplication;
  url: string;
  port: number;
  topic: string;
  close(): Promise<void>;
}

/** Starts ingest with `env` over the runner's environment, on its own topic; close() deletes the topic. */
export async function startIngest(name: string, env: Record<string, string> = {}): Promise<HostileIngest> {
  const topic = `smartscale.hostile.${name}.${Date.now().toString(36)}`;
  const app = await createIngestApp(
    loadIngestConfig({ ...process.env, SMARTSCALE_INGEST_HOST: '127.0.0.1', SMARTSCALE_EVENTS_TOPIC: topic, ...env }),
  );
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return {
    app,
    url,
    port: Number(new URL(url).port),
    topic,
    close: async () => {
      await app.close();
      await withAdmin(createKafka({ brokers, clientId: 'hostile-test' }), (admin) =>
        admin.deleteTopics({ topics: [topic], timeout: 10_000 }),
      ).catch(() => undefined);
    },
  };
}

export interface PostResult {
  status: number;
  ms: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<PostResult> {
  const started = performance.now();
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return {
    status: res.status,
    ms: performance.now() - started,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

/** A sample of ingest's /metrics, e.g. metric(url, 'smartscale_ingest_requests_rejected_total', 'reason="service_cap"'). */
export async function metric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels));
  if (line === undefined && !labels) throw new Error(`no ${name} in /metrics`);
  return line ? Number(line.split(' ').at(-1)) : 0;
}

export interface RawClient {
  socket: Socket;
  /** Everything the server wrote back. */
  received(): string;
  /** When the server closed the connection (ms since the client connected), or null while it is open. */
  closedAfterMs(): number | null;
}

/**
 * A client that sends `head` (and optionally part of a body) and then stalls, as an attacker holding
 * the door would: nothing more is written until the server closes the socket.
 */
export function stallingClient(port: number, head: string, body: Buffer = Buffer.alloc(0)): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const started = performance.now();
    let closedAt: number | null = null;
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined); // a reset by the server is the expected end
    socket.on('close', () => (closedAt = performance.now() - started));
    socket.once('connect', () => {
      socket.write(head);
      if (body.length > 0) socket.write(body);
      resolve({ socket, received: () => Buffer.concat(chunks).toString('latin1'), closedAfterMs: () => closedAt });
    });
    socket.once('error', reject);
  });
}

export const uploadHead = (contentLength: number, extra = ''): string =>
  `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n${extra}\r\n`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
