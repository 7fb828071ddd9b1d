import { connect } from 'node:net';
import { Controller, Module, Post } from '@nestjs/common';
import { createHttpApp, fastifyTimeoutOptions } from './http-app';

@Controller('echo')
class EchoController {
  @Post()
  echo(): { ok: boolean } {
    return { ok: true };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

/** Resolves with how long the server took to close a socket that sent `head` and stalled. */
function stall(port: number, head: string): Promise<{ ms: number; received: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    const started = performance.now();
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ ms: performance.now() - started, received }));
  });
}

describe(createHttpApp.name, () => {
  it('maps the timeouts to Fastify and Node, checking deadlines often enough to honour short ones', () => {
    expect(fastifyTimeoutOptions({ headersMs: 10_000, requestMs: 30_000, idleMs: 30_000, keepAliveMs: 5_000 })).toEqual({
      connectionTimeout: 30_000,
      keepAliveTimeout: 5_000,
      requestTimeout: 30_000,
      http: { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 },
    });
    // Node refuses headersTimeout > requestTimeout
    expect(fastifyTimeoutOptions({ headersMs: 5_000, requestMs: 1_000, idleMs: 1, keepAliveMs: 1 }).http.headersTimeout).toBe(1_000);
  });

  it('closes a stalled body with 408 and stalled headers within the configured timeouts', async () => {
    const app = await createHttpApp(
      { module: EchoModule },
      { title: 't', description: 'd', timeouts: { headersMs: 400, requestMs: 800, idleMs: 5_000, keepAliveMs: 500 } },
    );
    await app.listen(0, '127.0.0.1');
    const port = Number(new URL(await app.getUrl()).port);
    try {
      const [body, headers] = await Promise.all([
        stall(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a'),
        stall(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Ty'),
      ]);
      expect(body.received).toMatch(/^HTTP\/1\.1 408/);
      expect(body.ms).toBeLessThan(800 + 1_000);
      expect(headers.ms).toBeLessThan(400 + 1_000);
    } finally {
      await app.close();
    }
  });
});
