import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Registry } from 'prom-client';
import { MAX_EVENT_RECORD_BYTES, packEvents, TelemetryEvent, unpackEventRecord } from '@smartscale/contracts';
import { INGEST_CONFIG, IngestConfig, loadIngestConfig } from '../config/ingest.config';
import { EVENT_SINK, EventSink } from './event-sink.adapter';
import { EventsController } from './events.controller';
import { EVENTS_HTTP_PROVIDERS } from './events.module';
import { CLOCK } from './events.service';
import { IngestMetrics } from './ingest-metrics';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const BODY_LIMIT = 4096;

/**
 * The sink is the broker adapter, replaced here; the HTTP contract and validation are under test. It
 * keeps what a consumer would read back from the records ingest writes (packed as the real sink packs
 * them), so every assertion on `stored` checks the stored form.
 */
class RecordingSink implements EventSink {
  stored: TelemetryEvent[] = [];
  down = false;
  /** When set, publish waits for it: a slow broker. */
  gate: Promise<void> | null = null;
  async publish(events: TelemetryEvent[]): Promise<void> {
    if (this.gate) await this.gate;
    if (this.down) throw new Error('KafkaJSNumberOfRetriesExceeded');
    const records = packEvents(events, { maxEvents: 200, maxBytes: MAX_EVENT_RECORD_BYTES });
    const readBack = records.flatMap((r) => (unpackEventRecord(r.value) as { items: TelemetryEvent[] }).items);
    // in the order of the request, as the tests expect (records group by service)
    const order = new Map(events.map((e, i) => [e.id, i]));
    this.stored.push(...readBack.sort((a, b) => order.get(a.id)! - order.get(b.id)!));
  }
  async ready(): Promise<boolean> {
    return !this.down;
  }
}

interface Harness {
  app: NestFastifyApplication;
  sink: RecordingSink;
  metrics: IngestMetrics;
  clock: { now: number };
}

async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const config: IngestConfig = loadIngestConfig({ SMARTSCALE_INGEST_BODY_LIMIT_BYTES: String(BODY_LIMIT), ...env });
  const sink = new RecordingSink();
  const clock = { now: NOW };
  const metrics = new IngestMetrics(new Registry());
  const moduleRef = await Test.createTestingModule({
    controllers: [EventsController],
    providers: [
      ...EVENTS_HTTP_PROVIDERS,
      { provide: INGEST_CONFIG, useValue: config },
      { provide: EVENT_SINK, useValue: sink },
      { provide: CLOCK, useValue: () => clock.now },
      { provide: IngestMetrics, useValue: metrics },
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: config.http.bodyLimitBytes }));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, sink, metrics, clock };
}

const ev = (over: Record<string, unknown> = {}) => ({ service: 'checkout', type: 'request', time: NOW, ...over });
const issuesOf = (res: { json(): { issues: { index: number; path: string }[] } }) => res.json().issues.map((i) => `${i.index}:${i.path}`);
const requestsRejected = async (m: IngestMetrics, reason: string) =>
  (await m.requestsRejected.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

describe(EventsController.name, () => {
  let h: Harness;
  const post = (payload: unknown, url = '/v1/events') => h.app.inject({ method: 'POST', url, payload: payload as object });
  const postRaw = (body: string | Buffer, headers: Record<string, string>, url = '/v1/events') =>
    h.app.inject({ method: 'POST', url, payload: body, headers });

  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.app.close());
  beforeEach(() => {
    h.sink.stored = [];
    h.sink.down = false;
  });

  it('accepts one event, normalises an ISO time to epoch ms and assigns an id', async () => {
    const res = await post(ev({ time: '2026-11-23T11:59:00Z', latencyMs: 12 }));
    expect(res.statusCode).toBe(202);
    expect(h.sink.stored).toEqual([expect.objectContaining({ v: 1, service: 'checkout', time: NOW - 60_000, id: res.json().ids[0] })]);
  });

  it('stores each event of a pretty-printed array or CRLF NDJSON with its version and id, times normalised', async () => {
    const items = [
      { service: 'checkout', type: 'request', time: NOW, attributes: { note: 'a "quoted", [bracketed] {value}', n: -1.5e3 } },
      { id: 'client-1', service: 'cart', type: 'metric', time: NOW, name: 'queue', value: 3 },
      { service: 'checkout', type: 'error', time: '2026-11-23T11:59:00Z', status: 503 },
    ];
    for (const [body, type] of [
      [JSON.stringify(items, null, 2), 'application/json'],
      [items.map((e) => `  ${JSON.stringify(e)}  `).join('\r\n'), 'application/x-ndjson'],
    ] as const) {
      h.sink.stored = [];
      const res = await postRaw(body, { 'content-type': type });
      expect(res.statusCode).toBe(202);
      const ids = res.json().ids as string[];
      expect(ids[1]).toBe('client-1');
      expect(h.sink.stored).toEqual([
        { v: 1, id: ids[0], ...items[0] },
        { v: 1, ...items[1] },
        { v: 1, id: ids[2], ...items[2], time: NOW - 60_000 },
      ]);
    }
  });

  it('keeps a client-supplied id so that retries can be de-duplicated', async () => {
    await post([ev({ id: 'retry-1', type: 'click' })]);
    expect(h.sink.stored[0].id).toBe('retry-1');
  });

  it('rejects a mixed batch whole by default, listing every offending index and reason', async () => {
    const res = await post([ev(), ev({ type: 'metric' }), ev({ service: 'bad name!' })]);
    expect(res.statusCode).toBe(400);
    expect(issuesOf(res)).toEqual(['1:name', '2:service']);
    expect(h.sink.stored).toEqual([]);
  });

  it('with ?partial=true stores the valid items and reports the rejected indexes', async () => {
    const res = await post([ev({ id: 'a' }), ev({ type: 'metric' }), ev({ id: 'c' })], '/v1/events?partial=true');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, ids: ['a', 'c'], rejected: [expect.objectContaining({ index: 1, path: 'name' })] });
    expect(h.sink.stored.map((e) => e.id)).toEqual(['a', 'c']);
  });

  it('with ?partial=true still answers 400 when no item is valid', async () => {
    const res = await post([ev({ type: 'metric' })], '/v1/events?partial=true');
    expect(res.statusCode).toBe(400);
    expect(h.sink.stored).toEqual([]);
  });

  it('rejects an event more than the future-skew bound (2 min by default) ahead, naming the bound, and counts it', async () => {
    expect((await post(ev({ time: NOW + 2 * 60_000 }))).statusCode).toBe(202);
    const res = await post(ev({ time: NOW + 2 * 60_000 + 1 }));
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([
      { index: 0, path: 'time', message: 'event time is more than 2 min ahead of the server clock (SMARTSCALE_MAX_FUTURE_SKEW_MS=120000)' },
    ]);
    expect((await h.metrics.rejected.get()).values.find((v) => v.labels.reason === 'future')?.value).toBe(1);
  });

  it('takes the future-skew and age bounds from the configuration', async () => {
    const own = await harness({ SMARTSCALE_MAX_FUTURE_SKEW_MS: '1000', SMARTSCALE_INGEST_MAX_EVENT_AGE_MS: String(3_600_000) });
    try {
      const send = (payload: object) => own.app.inject({ method: 'POST', url: '/v1/events', payload });
      expect((await send(ev({ time: NOW + 1001 }))).json().issues[0].message).toMatch(/SMARTSCALE_MAX_FUTURE_SKEW_MS=1000/);
      const old = await send(ev({ time: NOW - 3_600_001 }));
      expect(old.statusCode).toBe(400);
      expect(old.json().issues[0].message).toBe('event time is older than 1 h (SMARTSCALE_INGEST_MAX_EVENT_AGE_MS)');
      expect((await own.metrics.rejected.get()).values.find((v) => v.labels.reason === 'too_old')?.value).toBe(1);
    } finally {
      await own.app.close();
    }
  });

  it('rejects an event older than the topic retention, naming the retention', async () => {
    const res = await post([ev({ time: NOW - 6 * 86_400_000 }), ev({ time: NOW - 8 * 86_400_000 })]);
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([{ index: 1, path: 'time', message: "event time is older than the events topic's retention (7 d)" }]);
  });

  it('rejects unknown fields and an empty batch', async () => {
    expect((await post(ev({ extra: 1 }))).statusCode).toBe(400);
    expect((await post([])).statusCode).toBe(400);
  });

  it('accepts NDJSON, one event per line, blank lines ignored', async () => {
    const res = await postRaw(`${JSON.stringify(ev({ id: 'n1' }))}\n\n${JSON.stringify(ev({ id: 'n2' }))}\n`, {
      'content-type': 'application/x-ndjson',
    });
    expect(res.statusCode).toBe(202);
    expect(h.sink.stored.map((e) => e.id)).toEqual(['n1', 'n2']);
  });

  it('reports a malformed NDJSON line by its index', async () => {
    const res = await postRaw(`${JSON.stringify(ev())}\n{not json\n`, { 'content-type': 'application/x-ndjson' });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0]).toEqual(expect.objectContaining({ index: 1, message: expect.stringMatching(/not valid JSON/) }));
  });

  it('accepts a gzip body for JSON and NDJSON', async () => {
    const json = await postRaw(gzipSync(JSON.stringify([ev({ id: 'g1' })])), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    const nd = await postRaw(gzipSync(JSON.stringify(ev({ id: 'g2' }))), {
      'content-type': 'application/x-ndjson',
      'content-encoding': 'gzip',
    });
    expect([json.statusCode, nd.statusCode]).toEqual([202, 202]);
    expect(h.sink.stored.map((e) => e.id)).toEqual(['g1', 'g2']);
  });

  it('answers 413 when a gzip body inflates past the limit', async () => {
    const bomb = gzipSync(JSON.stringify([ev({ attributes: { pad: 'x'.repeat(200) } })]).repeat(1) + ' '.repeat(BODY_LIMIT * 4));
    expect(bomb.length).toBeLessThan(BODY_LIMIT);
    const res = await postRaw(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/inflates to more than/);
  });

  it('answers 413 with a JSON error for a body over the limit', async () => {
    const res = await postRaw(JSON.stringify(Array.from({ length: 100 }, () => ev())), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual(expect.objectContaining({ statusCode: 413, message: expect.stringMatching(/over the 4096-byte limit/) }));
    expect(await requestsRejected(h.metrics, 'too_large')).toBeGreaterThan(0);
  });

  it('answers 415 for another Content-Type or Content-Encoding, and 400 for broken JSON', async () => {
    const plain = await postRaw('service=checkout', { 'content-type': 'text/plain' });
    expect(plain.statusCode).toBe(415);
    expect(plain.json().message).toMatch(/application\/x-ndjson/);
    expect((await postRaw('<e/>', { 'content-type': 'application/xml' })).statusCode).toBe(415);
    expect((await postRaw(JSON.stringify(ev()), { 'content-type': 'application/json', 'content-encoding': 'br' })).statusCode).toBe(415);
    const broken = await postRaw('{"service":', { 'content-type': 'application/json' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toEqual(expect.objectContaining({ code: 'INVALID_JSON', message: expect.stringMatching(/not valid JSON/) }));
    expect(await requestsRejected(h.metrics, 'unsupported_media_type')).toBe(3);
  });

  it('answers 503 with Retry-After when the broker does not acknowledge, claiming nothing stored', async () => {
    h.sink.down = true;
    const res = await post(ev());
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
  });
});

describe('EventsController with API keys and a rate limit', () => {
  const secret = (s: string) => createHash('sha256').update(s).digest('hex');
  let h: Harness;
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: '/v1/events', payload: payload as object, headers });

  beforeAll(async () => {
    h = await harness({
      SMARTSCALE_API_KEYS: `${secret('checkout-key')}:checkout|cart,${secret('admin-key')}:*`,
      SMARTSCALE_RATE_LIMIT_EVENTS_PER_S: '10',
    });
  });
  afterAll(() => h.app.close());
  beforeEach(() => {
    h.clock.now += 60_000; // full buckets
  });

  it('answers 401 without a key', async () => {
    const res = await post(ev());
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/missing API key/);
  });

  it('refuses a missing or unknown key before reading the body', async () => {
    const junk = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    const res = await h.app.inject({ method: 'POST', url: '/v1/events', payload: 'not gzip at all', headers: junk });
    expect(res.statusCode).toBe(401);
    expect(
      (await h.app.inject({ method: 'POST', url: '/v1/events', payload: 'not gzip at all', headers: { ...junk, 'x-api-key': 'guess' } }))
        .statusCode,
    ).toBe(403);
    expect(await requestsRejected(h.metrics, 'unauthorized')).toBeGreaterThan(0);
  });

  it('answers 403 for an unknown key', async () => {
    expect((await post(ev(), { 'x-api-key': 'guess' })).statusCode).toBe(403);
  });

  it('answers 403 for an event of a service outside the key scope, listing its index', async () => {
    const res = await post([ev(), ev({ service: 'payments' })], { 'x-api-key': 'checkout-key' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual(expect.objectContaining({ indexes: [1], message: expect.stringMatching(/payments/) }));
    expect(h.sink.stored.filter((e) => e.service === 'payments')).toEqual([]);
  });

  it('accepts a key in scope, as X-API-Key or Bearer, and a * key for any service', async () => {
    expect((await post([ev(), ev({ service: 'cart' })], { 'x-api-key': 'checkout-key' })).statusCode).toBe(202);
    expect((await post(ev({ service: 'payments' }), { authorization: 'Bearer admin-key' })).statusCode).toBe(202);
  });

  it('answers 429 with Retry-After past the per-key rate, and admits again once tokens refill', async () => {
    const key = { 'x-api-key': 'checkout-key' };
    const eight = (headers: Record<string, string>) =>
      post(
        Array.from({ length: 8 }, () => ev()),
        headers,
      );
    expect((await eight(key)).statusCode).toBe(202);
    const limited = await eight(key);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    // Another key has its own bucket.
    expect((await eight({ 'x-api-key': 'admin-key' })).statusCode).toBe(202);
    h.clock.now += 1000;
    expect((await eight(key)).statusCode).toBe(202);
  });
});

describe('EventsController back-pressure', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await harness({ SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES: '150' });
  });
  afterAll(() => h.app.close());

  it('answers 503 with Retry-After past the in-flight byte bound instead of buffering, and recovers', async () => {
    let open!: () => void;
    h.sink.gate = new Promise<void>((r) => (open = r));
    const body = JSON.stringify(ev({ id: 'slow', latencyMs: 12.5, status: 200 }));
    expect(body.length).toBeGreaterThan(75);
    const first = h.app.inject({ method: 'POST', url: '/v1/events', payload: body, headers: { 'content-type': 'application/json' } });
    await until(async () => (await h.metrics.inflightBytes.get()).values[0]?.value === body.length);
    const second = await h.app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: body,
      headers: { 'content-type': 'application/json' },
    });
    expect(second.statusCode).toBe(503);
    expect(second.headers['retry-after']).toBe('2');
    open();
    h.sink.gate = null;
    expect((await first).statusCode).toBe(202);
    expect((await h.metrics.inflightBytes.get()).values[0].value).toBe(0);
    expect(
      (await h.app.inject({ method: 'POST', url: '/v1/events', payload: body, headers: { 'content-type': 'application/json' } }))
        .statusCode,
    ).toBe(202);
  });
});

describe('EventsController ids of events sent without one', () => {
  let h: Harness;
  const secret = (s: string) => createHash('sha256').update(s).digest('hex');
  const send = (payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: '/v1/events', payload: payload as object, headers });

  beforeAll(async () => {
    h = await harness({ SMARTSCALE_API_KEYS: `${secret('one')}:*,${secret('two')}:*` });
  });
  afterAll(() => h.app.close());

  it('gives a retried body the same ids (so it is counted once), and identical events of one body distinct ids', async () => {
    const body = [ev({ latencyMs: 5 }), ev({ latencyMs: 5 }), ev({ id: 'mine' })];
    const first = (await send(body, { 'x-api-key': 'one' })).json().ids as string[];
    const retry = (await send(body, { 'x-api-key': 'one' })).json().ids as string[];
    expect(retry).toEqual(first);
    expect(new Set(first).size).toBe(3);
    expect(first[2]).toBe('mine');
    expect(first[0]).toMatch(/^[A-Za-z0-9_-]{22}-0$/);
    // the same ids whether the retry comes gzipped or not: the seed is the body as read
    const gz = await h.app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: gzipSync(JSON.stringify(body)),
      headers: { 'x-api-key': 'one', 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(gz.json().ids).toEqual(first);
    // another key's identical body is another client's events
    expect((await send(body, { 'x-api-key': 'two' })).json().ids[0]).not.toBe(first[0]);
    expect((await send([ev({ latencyMs: 6 })], { 'x-api-key': 'one' })).json().ids[0]).not.toBe(first[0]);
  });
});

describe('EventsController service caps', () => {
  let h: Harness;
  const secret = (s: string) => createHash('sha256').update(s).digest('hex');
  const send = (services: string[], key: string) =>
    h.app.inject({ method: 'POST', url: '/v1/events', payload: services.map((service) => ev({ service })), headers: { 'x-api-key': key } });

  beforeAll(async () => {
    h = await harness({
      SMARTSCALE_API_KEYS: `${secret('a')}:*,${secret('b')}:*,${secret('c')}:*`,
      SMARTSCALE_INGEST_MAX_SERVICES_PER_CLIENT: '3',
      SMARTSCALE_INGEST_MAX_SERVICES: '5',
      SMARTSCALE_INGEST_SERVICE_WINDOW_MS: '60000',
    });
  });
  afterAll(() => h.app.close());

  it('refuses a request naming services past the per-key cap with 429 naming the cap, storing nothing of it', async () => {
    expect((await send(['s1', 's2'], 'a')).statusCode).toBe(202);
    const over = await send(['s1', 's3', 's4'], 'a');
    expect(over.statusCode).toBe(429);
    expect(over.json()).toEqual(
      expect.objectContaining({
        cap: 'per_client',
        services: ['s3', 's4'],
        message: expect.stringMatching(/cap of 3 distinct services for this client \(SMARTSCALE_INGEST_MAX_SERVICES_PER_CLIENT\)/),
      }),
    );
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(h.sink.stored.filter((e) => e.service === 's3')).toEqual([]);
    // services already admitted still pass, and one more fits
    expect((await send(['s1', 's2', 's3'], 'a')).statusCode).toBe(202);
    expect(await requestsRejected(h.metrics, 'service_cap')).toBe(1);
  });

  it('refuses past the overall cap with 429 naming it, while known services of every key pass', async () => {
    expect((await send(['t1', 't2'], 'b')).statusCode).toBe(202); // s1..s3, t1, t2: 5
    const over = await send(['t3'], 'c');
    expect(over.statusCode).toBe(429);
    expect(over.json()).toEqual(
      expect.objectContaining({ cap: 'total', message: expect.stringMatching(/this server \(SMARTSCALE_INGEST_MAX_SERVICES\)/) }),
    );
    expect((await send(['s1', 't1'], 'c')).statusCode).toBe(202);
  });

  it('frees places once services leave the sliding window', async () => {
    h.clock.now += 61_000;
    expect((await send(['u1', 'u2', 'u3'], 'c')).statusCode).toBe(202);
    expect((await h.metrics.servicesTracked.get()).values[0].value).toBe(3);
  });
});

describe('EventsController in-flight budget charged as bytes arrive', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await harness({ SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES: '2000', SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES_PER_CLIENT: '100000' });
  });
  afterAll(() => h.app.close());

  it('charges a gzip body for its inflated bytes: a small compressed body that inflates past the budget gets 503', async () => {
    let open!: () => void;
    h.sink.gate = new Promise<void>((r) => (open = r));
    const first = h.app.inject({ method: 'POST', url: '/v1/events', payload: [ev({ id: 'held' })] });
    await until(async () => (await h.metrics.inflightBytes.get()).values[0]?.value > 0);
    const padded = JSON.stringify([ev({ attributes: { pad: 'x'.repeat(250) } })]) + ' '.repeat(3000);
    const gz = gzipSync(padded);
    expect(gz.length).toBeLessThan(400);
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/events',
      payload: gz,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.headers.connection).toBe('close');
    expect(await requestsRejected(h.metrics, 'overloaded')).toBe(1);
    open();
    h.sink.gate = null;
    expect((await first).statusCode).toBe(202);
    expect((await h.metrics.inflightBytes.get()).values[0].value).toBe(0);
  });

  it('refuses a client past its own share with 429 while another client still gets in', async () => {
    const own = await harness({ SMARTSCALE_INGEST_MAX_INFLIGHT_REQUESTS_PER_CLIENT: '1' });
    try {
      let open!: () => void;
      own.sink.gate = new Promise<void>((r) => (open = r));
      const first = own.app.inject({ method: 'POST', url: '/v1/events', payload: ev({ id: 'x1' }), remoteAddress: '10.0.0.1' });
      await until(async () => (await own.metrics.inflightBytes.get()).values[0]?.value > 0);
      const second = await own.app.inject({ method: 'POST', url: '/v1/events', payload: ev({ id: 'x2' }), remoteAddress: '10.0.0.1' });
      expect(second.statusCode).toBe(429);
      expect(second.json().message).toMatch(/SMARTSCALE_INGEST_MAX_INFLIGHT_REQUESTS_PER_CLIENT/);
      const other = own.app.inject({ method: 'POST', url: '/v1/events', payload: ev({ id: 'y1' }), remoteAddress: '10.0.0.2' });
      open();
      own.sink.gate = null;
      expect([(await first).statusCode, (await other).statusCode]).toEqual([202, 202]);
    } finally {
      await own.app.close();
    }
  });
});

/** Awaits a condition on the event loop rather than sleeping a fixed time. */
async function until(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not met');
}
