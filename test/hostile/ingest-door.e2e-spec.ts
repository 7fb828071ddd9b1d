import { gzipSync } from 'node:zlib';
import { eventually } from '@smartscale/testing';
import { HostileIngest, metric, post, RawClient, sleep, stallingClient, startIngest, uploadHead } from './ingest-support';

// Issue 18, "bodies that cannot hold the door": clients that announce big bodies and stall, that stall
// in their headers, or that send a small gzip body inflating to gigabytes. A normal client keeps
// getting 202 at once, and the server closes the stalled sockets by itself within its timeouts.
jest.setTimeout(120_000);

const MIB = 1024 * 1024;
const now = (): number => Date.now();

describe('ingest under stalled uploads', () => {
  const REQUEST_TIMEOUT_MS = 4_000;
  const HEADERS_TIMEOUT_MS = 2_000;
  let ingest: HostileIngest;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    ingest = await startIngest('stall', {
      SMARTSCALE_INGEST_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      SMARTSCALE_INGEST_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      SMARTSCALE_INGEST_IDLE_TIMEOUT_MS: '10000',
    });
    // the producer connected and the topic exists before the clock starts
    expect((await post(ingest.url, { service: 'warm', type: 'request', time: now() })).status).toBe(202);
  });
  afterAll(async () => {
    for (const c of clients) c.socket.destroy();
    await ingest?.close();
  });

  it('answers a normal request 202 at once while 16 uploads announcing the whole budget stall, and closes the stalled sockets within the timeout', async () => {
    // 12 × 5 MiB + 4 × 1 MiB announced: exactly the default 64 MiB in-flight budget (13 × 5 MiB in the issue).
    for (let i = 0; i < 16; i++)
      clients.push(await stallingClient(ingest.port, uploadHead(i < 12 ? 5 * MIB : MIB), Buffer.from('[{"service":"stall"')));
    // and 4 slow-loris clients that never finish their headers
    const loris: RawClient[] = [];
    for (let i = 0; i < 4; i++)
      loris.push(await stallingClient(ingest.port, 'POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl'));
    clients.push(...loris);
    await sleep(300); // every stalled request is admitted and waiting

    const normal = await post(ingest.url, { id: `normal-${now()}`, service: 'checkout', type: 'request', time: now() });
    console.log(
      `stalled uploads: normal request ${normal.status} in ${normal.ms.toFixed(1)} ms with 16 uploads announcing 64 MiB and 4 partial headers stalled`,
    );
    expect(normal.status).toBe(202);
    expect(normal.ms).toBeLessThan(1_000);
    expect(await metric(ingest.url, 'smartscale_ingest_inflight_bytes')).toBeLessThan(MIB);

    // The server, not the client, ends the stall: 408 for the uploads, within the request timeout (Node
    // checks the deadlines every second), and the header stallers within the headers timeout.
    await eventually(
      'every stalled socket closed by the server',
      () => clients.every((c) => c.closedAfterMs() !== null),
      REQUEST_TIMEOUT_MS + 6_000,
      100,
    );
    const uploads = clients.slice(0, 16).map((c) => c.closedAfterMs()!);
    const partial = loris.map((c) => c.closedAfterMs()!);
    console.log(
      `stalled uploads closed after ${Math.min(...uploads).toFixed(0)}-${Math.max(...uploads).toFixed(0)} ms, partial headers after ${Math.min(...partial).toFixed(0)}-${Math.max(...partial).toFixed(0)} ms`,
    );
    expect(Math.max(...uploads)).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    expect(Math.max(...partial)).toBeLessThan(HEADERS_TIMEOUT_MS + 2_000);
    for (const c of clients.slice(0, 16)) expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(await metric(ingest.url, 'smartscale_ingest_inflight_bytes')).toBe(0);
  });
});

describe('ingest under gzip bombs', () => {
  let ingest: HostileIngest;
  const held: RawClient[] = [];
  // 64 MiB of spaces after an event: about 64 KiB on the wire.
  const bomb = gzipSync(Buffer.concat([Buffer.from('[{"service":"bomb","type":"request","time":1}]'), Buffer.alloc(64 * MIB, ' ')]), {
    level: 9,
  });

  beforeAll(async () => {
    ingest = await startIngest('gzip', {
      SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES: String(16 * MIB),
      SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES_PER_CLIENT: String(64 * MIB),
      SMARTSCALE_INGEST_REQUEST_TIMEOUT_MS: '30000',
      SMARTSCALE_INGEST_IDLE_TIMEOUT_MS: '30000',
    });
    expect((await post(ingest.url, { service: 'warm', type: 'request', time: now() })).status).toBe(202);
  });
  afterAll(async () => {
    for (const c of held) c.socket.destroy();
    await ingest?.close();
  });

  const sendBomb = () => post(ingest.url, bomb, { 'content-encoding': 'gzip' });

  it('answers 413 to bombs, 20 at once, with memory bounded, and a normal request still gets 202', async () => {
    expect(bomb.length).toBeLessThan(100 * 1024);
    const one = await sendBomb();
    expect(one.status).toBe(413);
    expect(one.body.message).toMatch(/inflates to more than the 5242880-byte limit/);

    const base = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base.arrayBuffers)), 5);
    const results = await Promise.all(Array.from({ length: 20 }, sendBomb));
    clearInterval(sampler);
    const statuses = results.map((r) => r.status);
    console.log(
      `gzip bombs: ${bomb.length} B inflating to 64 MiB, 20 at once: statuses ${JSON.stringify(countBy(statuses))}, peak buffer growth ${(peak / MIB).toFixed(1)} MiB`,
    );
    expect(statuses.every((s) => s === 413 || s === 503)).toBe(true);
    // bounded by the 16 MiB budget (inflated bytes are charged) plus a chunk per stream, not 20 × 5 MiB
    expect(peak).toBeLessThan(40 * MIB);
    expect((await post(ingest.url, { service: 'after-bomb', type: 'request', time: now() })).status).toBe(202);
    expect(await metric(ingest.url, 'smartscale_ingest_inflight_bytes')).toBe(0);
  });

  it('charges a bomb for its inflated bytes: with the budget mostly held, it is refused 503 though its wire size fits', async () => {
    // Three uploads hold 13.5 MiB of real bytes (charged as they arrived) and stall.
    const part = Buffer.alloc(4.5 * MIB, ' ');
    for (let i = 0; i < 3; i++) held.push(await stallingClient(ingest.port, uploadHead(5 * MIB), part));
    await eventually('13.5 MiB held', async () => (await metric(ingest.url, 'smartscale_ingest_inflight_bytes')) >= 13.5 * MIB, 10_000, 50);
    const before = await metric(ingest.url, 'smartscale_ingest_requests_rejected_total', 'reason="overloaded"');
    const refused = await sendBomb();
    console.log(`gzip bomb with 13.5 of 16 MiB held: ${refused.status} ${String(refused.body.message)}`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(await metric(ingest.url, 'smartscale_ingest_requests_rejected_total', 'reason="overloaded"')).toBe(before + 1);
    for (const c of held) c.socket.destroy();
    await eventually(
      'the held bytes released with their sockets',
      async () => (await metric(ingest.url, 'smartscale_ingest_inflight_bytes')) === 0,
      10_000,
      50,
    );
  });
});

function countBy(xs: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
