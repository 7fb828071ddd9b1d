import { gzipSync } from 'node:zlib';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import * as ops from '@smartscale/ops';
import type { TelemetryEvent } from '@smartscale/contracts';
import { eventually } from '@smartscale/testing';
import { metric, post, RawClient, sleep, stallingClient, uploadHead } from '../../../../test/hostile/ingest-support';
import { AppModule } from '../app.module';
import { IngestConfig, loadIngestConfig } from '../config/ingest.config';
import { EVENT_SINK, EventSink } from './event-sink.adapter';

// The attacks of issue 18 against the whole ingest app (AppModule, Fastify on a real loopback socket,
// the server options createHttpApp gives it) with only the broker adapter replaced: the fast companion
// of test/hostile/ingest-*.e2e-spec.ts, written against the app's public surface only, so that it also
// runs against the code before the change (where each of these failed).

const MIB = 2 ** 20;

class MemorySink implements EventSink {
  stored: TelemetryEvent[] = [];
  async publish(events: TelemetryEvent[]): Promise<void> {
    this.stored.push(...events.map((e) => ({ ...e })));
  }
  async ready(): Promise<boolean> {
    return true;
  }
}

async function start(
  env: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; url: string; port: number; sink: MemorySink }> {
  const config = loadIngestConfig({ SMARTSCALE_INGEST_REQUEST_TIMEOUT_MS: '1500', SMARTSCALE_INGEST_HEADERS_TIMEOUT_MS: '1000', ...env });
  const sink = new MemorySink();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(config)] })
    .overrideProvider(EVENT_SINK)
    .useValue(sink)
    .compile();
  // what createHttpApp passes to Fastify, whichever version of it this is
  const timeouts = (ops as { fastifyTimeoutOptions?: (t: unknown) => object }).fastifyTimeoutOptions;
  const http = (config as IngestConfig & { http: { timeouts?: unknown } }).http;
  const adapter = new FastifyAdapter({ bodyLimit: http.bodyLimitBytes, ...(timeouts && http.timeouts ? timeouts(http.timeouts) : {}) });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return { app, url, port: Number(new URL(url).port), sink };
}

describe('ingest under the attacks of issue 18', () => {
  it('answers a normal request 202 while 16 uploads announcing the whole 64 MiB budget stall, and closes them within the request timeout', async () => {
    const { app, url, port } = await start();
    const clients: RawClient[] = [];
    try {
      // 12 × 5 MiB + 4 × 1 MiB: exactly the default in-flight budget, as announced by Content-Length
      for (let i = 0; i < 16; i++) clients.push(await stallingClient(port, uploadHead(i < 12 ? 5 * MIB : MIB), Buffer.from('[')));
      await sleep(100);
      const normal = await post(url, { service: 'checkout', type: 'request', time: Date.now() });
      expect(normal.status).toBe(202);
      await eventually('every stalled socket closed by the server', () => clients.every((c) => c.closedAfterMs() !== null), 4_000, 50);
      expect(Math.max(...clients.map((c) => c.closedAfterMs()!))).toBeLessThan(1_500 + 1_500);
    } finally {
      clients.forEach((c) => c.socket.destroy());
      await app.close();
    }
  });

  it('refuses an event an hour ahead with 400', async () => {
    const { app, url, sink } = await start();
    try {
      expect((await post(url, { service: 'checkout', type: 'request', time: Date.now() + 59 * 60_000 })).status).toBe(400);
      expect(sink.stored).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('stops a client inventing 5,000 services at its cap with 429', async () => {
    const { app, url, sink } = await start();
    try {
      const statuses: number[] = [];
      for (let r = 0; r < 50; r++) {
        statuses.push(
          (
            await post(
              url,
              Array.from({ length: 100 }, (_, i) => ({ service: `inv-${r * 100 + i}`, type: 'request', time: Date.now() })),
            )
          ).status,
        );
      }
      expect(statuses.filter((s) => s === 429)).toHaveLength(45);
      expect(new Set(sink.stored.map((e) => e.service)).size).toBe(500);
    } finally {
      await app.close();
    }
  });

  it('gives a retried id-less body the same ids', async () => {
    const { app, url } = await start();
    try {
      const body = [{ service: 'checkout', type: 'request', time: Date.now(), latencyMs: 3 }];
      expect((await post(url, body)).body.ids).toEqual((await post(url, body)).body.ids);
    } finally {
      await app.close();
    }
  });

  it('charges a gzip bomb for its inflated bytes: 503 when they do not fit the budget held by stalled uploads', async () => {
    const { app, url, port } = await start({
      SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES: String(16 * MIB),
      SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES_PER_CLIENT: String(64 * MIB),
      SMARTSCALE_INGEST_REQUEST_TIMEOUT_MS: '20000',
    });
    const held: RawClient[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await stallingClient(port, uploadHead(5 * MIB), Buffer.alloc(4.5 * MIB, ' ')));
      await eventually('13.5 MiB held', async () => (await metric(url, 'smartscale_ingest_inflight_bytes')) >= 13.5 * MIB, 5_000, 20);
      const bomb = gzipSync(Buffer.concat([Buffer.from('[{"service":"bomb","type":"request","time":1}]'), Buffer.alloc(64 * MIB, ' ')]), {
        level: 9,
      });
      expect((await post(url, bomb, { 'content-encoding': 'gzip' })).status).toBe(503);
    } finally {
      held.forEach((c) => c.socket.destroy());
      await app.close();
    }
  });
});
