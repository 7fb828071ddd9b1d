import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { HttpException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { google } from '@temporalio/proto';
import { MAX_EVENT_RECORD_BYTES, packEvents, TelemetryEvent, unpackEventRecord } from '@smartscale/contracts';
import { AppModule } from '../app.module';
import { IngestConfig, loadIngestConfig } from '../config/ingest.config';
import { CLOCK } from '../events/clock';
import { EVENT_SINK, EventSink } from '../events/event-sink.adapter';
import { EventsService } from '../events/events.service';
import { MetricsRequest, MetricsResponse, TraceRequest, TraceResponse } from './otlp-proto';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const NANOS = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;
const BODY_LIMIT = 1024 * 1024;

/** The broker adapter, replaced; keeps what a consumer would read back from the records ingest writes. */
class RecordingSink implements EventSink {
  stored: TelemetryEvent[] = [];
  down = false;
  async publish(events: TelemetryEvent[]): Promise<void> {
    if (this.down) throw new Error('KafkaJSNumberOfRetriesExceeded');
    for (const r of packEvents(events, { maxEvents: 200, maxBytes: MAX_EVENT_RECORD_BYTES })) {
      this.stored.push(...(unpackEventRecord(r.value) as { items: TelemetryEvent[] }).items);
    }
  }
  async ready(): Promise<boolean> {
    return !this.down;
  }
}

async function harness(env: Record<string, string> = {}): Promise<{ app: NestFastifyApplication; sink: RecordingSink }> {
  const config: IngestConfig = loadIngestConfig({ SMARTSCALE_INGEST_BODY_LIMIT_BYTES: String(BODY_LIMIT), ...env });
  const sink = new RecordingSink();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(config)] })
    .overrideProvider(EVENT_SINK)
    .useValue(sink)
    .overrideProvider(CLOCK)
    .useValue(() => NOW)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: config.http.bodyLimitBytes }), {
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, sink };
}

const kv = (key: string, value: unknown) => ({
  key,
  value: typeof value === 'number' ? { intValue: value } : { stringValue: String(value) },
});

function span(over: Record<string, unknown> = {}) {
  return {
    traceId: Buffer.alloc(16, 0xab),
    spanId: Buffer.from('0102030405060708', 'hex'),
    name: 'GET /cart',
    kind: 2,
    startTimeUnixNano: NANOS(NOW - 1000),
    endTimeUnixNano: `${BigInt(NOW - 1000) * 1_000_000n + 42_500_000n}`,
    attributes: [kv('http.request.method', 'GET'), kv('http.route', '/cart'), kv('http.response.status_code', 200)],
    status: { code: 0 },
    ...over,
  };
}

const traces = (resourceAttributes: unknown[], spans: unknown[]) => ({
  resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: 'test' }, spans }] }],
});
const protobuf = (request: unknown) => Buffer.from(TraceRequest.encode(request).finish());
const post = (app: NestFastifyApplication, url: string, payload: Buffer | string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/x-protobuf', ...headers } });

interface PartialSuccess {
  rejectedSpans?: { toNumber(): number } | number;
  rejectedDataPoints?: { toNumber(): number } | number;
  errorMessage?: string;
}
const decodedTraceResponse = (raw: Buffer) => TraceResponse.decode(raw) as { partialSuccess?: PartialSuccess | null };
const num = (v: { toNumber(): number } | number | undefined) => (typeof v === 'object' ? v.toNumber() : (v ?? 0));

describe('OtlpController', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  afterEach(async () => h?.app.close());

  it('stores a SERVER span as a request event of its service.name and answers 200 with no partial_success', async () => {
    h = await harness();
    const res = await post(
      h.app,
      '/v1/traces',
      protobuf(traces([kv('service.name', 'checkout'), kv('service.version', '1.2.3')], [span()])),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(decodedTraceResponse(res.rawPayload).partialSuccess ?? null).toBeNull();
    expect(h.sink.stored).toEqual([
      expect.objectContaining({
        id: `${'ab'.repeat(16)}0102030405060708`,
        service: 'checkout',
        type: 'request',
        time: NOW - 1000 + 42,
        latencyMs: 42.5,
        status: 200,
        attributes: {
          'span.kind': 'server',
          'span.name': 'GET /cart',
          'http.request.method': 'GET',
          'http.route': '/cart',
          'http.response.status_code': 200,
          'service.version': '1.2.3',
        },
      }),
    ]);
  });

  it('reads OTLP/JSON (hex ids, decimal-string times, integer enums) and answers in JSON', async () => {
    h = await harness();
    const json = traces(
      [{ key: 'service.name', value: { stringValue: 'checkout' } }],
      [
        {
          traceId: 'AB'.repeat(16),
          spanId: '0102030405060708',
          name: 'consume',
          kind: 5,
          startTimeUnixNano: NANOS(NOW - 10),
          endTimeUnixNano: NANOS(NOW),
          status: { code: 2 },
        },
      ],
    );
    const res = await post(h.app, '/v1/traces', JSON.stringify(json), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({});
    expect(h.sink.stored).toEqual([
      expect.objectContaining({ id: `${'ab'.repeat(16)}0102030405060708`, type: 'error', time: NOW, latencyMs: 10 }),
    ]);
  });

  it('charges invented services to the client that sent them, as POST /v1/events does', async () => {
    h = await harness({ SMARTSCALE_INGEST_MAX_SERVICES_PER_CLIENT: '2' });
    const from = (remoteAddress: string, service: string) =>
      h.app.inject({
        method: 'POST',
        url: '/v1/traces',
        remoteAddress,
        payload: protobuf(traces([kv('service.name', service)], [span()])),
        headers: { 'content-type': 'application/x-protobuf' },
      });
    expect((await from('10.0.0.1', 'a1')).statusCode).toBe(200);
    expect((await from('10.0.0.1', 'a2')).statusCode).toBe(200);
    expect((await from('10.0.0.1', 'a3')).statusCode).toBe(429);
    // Another client still has its own share of services.
    expect((await from('10.0.0.2', 'b1')).statusCode).toBe(200);
  });

  it('rejects spans without service.name and non-server spans in partial_success, storing the rest', async () => {
    h = await harness();
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [kv('service.name', 'checkout')] },
          scopeSpans: [{ spans: [span(), span({ kind: 3, spanId: Buffer.alloc(8, 9) }), span({ kind: 1, spanId: Buffer.alloc(8, 7) })] }],
        },
        { resource: { attributes: [kv('host.name', 'h1')] }, scopeSpans: [{ spans: [span({ spanId: Buffer.alloc(8, 5) })] }] },
      ],
    };
    const res = await post(h.app, '/v1/traces', protobuf(request));
    expect(res.statusCode).toBe(200);
    const partial = decodedTraceResponse(res.rawPayload).partialSuccess!;
    expect(num(partial.rejectedSpans)).toBe(3);
    expect(partial.errorMessage).toContain('3 of 4 spans not accepted');
    expect(partial.errorMessage).toContain('1 spans: no service.name');
    expect(partial.errorMessage).toContain('2 spans: span kind is not SERVER or CONSUMER');
    expect(h.sink.stored.map((e) => e.service)).toEqual(['checkout']);
  });

  it('keeps at most 32 attributes of a resource with 10,000 and still stores the span', async () => {
    h = await harness();
    const many = Array.from({ length: 10_000 }, (_, i) => kv(`attr.${i}`, i === 0 ? 'x'.repeat(300) : `v${i}`));
    const res = await post(h.app, '/v1/traces', protobuf(traces([...many, kv('service.name', 'checkout')], [span()])));
    expect(res.statusCode).toBe(200);
    expect(decodedTraceResponse(res.rawPayload).partialSuccess ?? null).toBeNull();
    const [event] = h.sink.stored;
    expect(Object.keys(event.attributes!)).toHaveLength(32);
    expect(event.attributes!['attr.0']).toHaveLength(256);
  });

  it('answers a truncated protobuf body 400 with a google.rpc.Status that stores nothing', async () => {
    h = await harness();
    const body = protobuf(traces([kv('service.name', 'checkout')], [span()]));
    const res = await post(h.app, '/v1/traces', body.subarray(0, body.length - 7));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    // Decoded with Temporal's generated google.rpc.Status: the wire form is the googleapis message.
    expect(google.rpc.Status.decode(res.rawPayload).message).toMatch(/not a valid ExportTraceServiceRequest/);
    expect(h.sink.stored).toEqual([]);
  });

  it('answers a Content-Type other than protobuf or JSON 415 with a JSON Status', async () => {
    h = await harness();
    const res = await post(h.app, '/v1/traces', 'hello', { 'content-type': 'text/plain' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ code: 3, message: expect.stringContaining('application/x-protobuf or application/json') });
  });

  it('inflates gzip bodies and answers a gzip bomb 413, never 5xx', async () => {
    h = await harness();
    const ok = await post(h.app, '/v1/traces', gzipSync(protobuf(traces([kv('service.name', 'checkout')], [span()]))), {
      'content-encoding': 'gzip',
    });
    expect(ok.statusCode).toBe(200);
    const bomb = await post(h.app, '/v1/traces', gzipSync(Buffer.alloc(BODY_LIMIT * 4)), { 'content-encoding': 'gzip' });
    expect(bomb.statusCode).toBe(413);
    expect(google.rpc.Status.decode(bomb.rawPayload).message).toMatch(/inflates to more than/);
    expect(h.sink.stored).toHaveLength(1);
  });

  it('answers 503 with Retry-After and a Status when the broker does not acknowledge', async () => {
    h = await harness();
    h.sink.down = true;
    const res = await post(h.app, '/v1/traces', protobuf(traces([kv('service.name', 'checkout')], [span()])));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(google.rpc.Status.decode(res.rawPayload)).toMatchObject({ code: 14, message: expect.stringMatching(/broker unavailable/) });
  });

  it('answers an HTTP error raised below the receiver (a refusal of the events pipeline) as a Status with its code', async () => {
    h = await harness();
    const events = h.app.get(EventsService);
    jest.spyOn(events, 'ingest').mockRejectedValue(new HttpException({ statusCode: 429, message: 'too many services for this key' }, 429));
    const res = await post(h.app, '/v1/traces', protobuf(traces([kv('service.name', 'checkout')], [span()])));
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(google.rpc.Status.decode(res.rawPayload)).toMatchObject({ code: 8, message: 'too many services for this key' });
  });

  describe('with API keys', () => {
    const secret = 'otlp-secret';
    const env = {
      SMARTSCALE_API_KEYS: `${createHash('sha256').update(secret).digest('hex')}:checkout`,
      SMARTSCALE_RATE_LIMIT_EVENTS_PER_S: '3',
    };

    it('answers 401 without a key and accepts Authorization: Bearer, rejecting the spans of services outside the key', async () => {
      h = await harness(env);
      const body = protobuf({
        resourceSpans: [
          { resource: { attributes: [kv('service.name', 'checkout')] }, scopeSpans: [{ spans: [span()] }] },
          { resource: { attributes: [kv('service.name', 'payments')] }, scopeSpans: [{ spans: [span({ spanId: Buffer.alloc(8, 3) })] }] },
        ],
      });
      const anonymous = await post(h.app, '/v1/traces', body);
      expect(anonymous.statusCode).toBe(401);
      expect(google.rpc.Status.decode(anonymous.rawPayload).message).toMatch(/missing API key/);
      const res = await post(h.app, '/v1/traces', body, { authorization: `Bearer ${secret}` });
      expect(res.statusCode).toBe(200);
      const partial = decodedTraceResponse(res.rawPayload).partialSuccess!;
      expect(num(partial.rejectedSpans)).toBe(1);
      expect(partial.errorMessage).toContain('service not covered by this API key (service "payments")');
      expect(h.sink.stored.map((e) => e.service)).toEqual(['checkout']);
    });

    it('answers 429 with Retry-After past the key rate', async () => {
      h = await harness(env);
      const body = protobuf(
        traces([kv('service.name', 'checkout')], [span(), span({ spanId: Buffer.alloc(8, 1) }), span({ spanId: Buffer.alloc(8, 2) })]),
      );
      expect((await post(h.app, '/v1/traces', body, { 'x-api-key': secret })).statusCode).toBe(200);
      const throttled = await post(h.app, '/v1/traces', body, { 'x-api-key': secret });
      expect(throttled.statusCode).toBe(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(google.rpc.Status.decode(throttled.rawPayload).code).toBe(8);
    });
  });

  it('maps gauges, sums and time histograms to metric events and rejects summaries in partial_success', async () => {
    h = await harness();
    const at = NANOS(NOW);
    const request = {
      resourceMetrics: [
        {
          resource: { attributes: [kv('service.name', 'checkout')] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'queue.depth',
                  unit: '{item}',
                  gauge: { dataPoints: [{ timeUnixNano: at, asInt: 7, attributes: [kv('queue', 'orders')] }] },
                },
                {
                  name: 'http.server.active_requests',
                  sum: { aggregationTemporality: 2, isMonotonic: false, dataPoints: [{ timeUnixNano: at, asDouble: 2.5 }] },
                },
                {
                  name: 'http.server.request.duration',
                  unit: 's',
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [{ timeUnixNano: at, count: 4, sum: 0.2, bucketCounts: [4], explicitBounds: [] }],
                  },
                },
                { name: 'rpc.latency', summary: { dataPoints: [{ timeUnixNano: at, count: 1, sum: 1 }] } },
              ],
            },
          ],
        },
      ],
    };
    const res = await post(h.app, '/v1/metrics', Buffer.from(MetricsRequest.encode(request).finish()));
    expect(res.statusCode).toBe(200);
    const partial = (MetricsResponse.decode(res.rawPayload) as { partialSuccess: PartialSuccess }).partialSuccess;
    expect(num(partial.rejectedDataPoints)).toBe(1);
    expect(partial.errorMessage).toContain('summary');
    expect(h.sink.stored).toEqual([
      expect.objectContaining({
        type: 'metric',
        name: 'queue.depth',
        value: 7,
        time: NOW,
        attributes: { 'otel.metric.unit': '{item}', queue: 'orders' },
      }),
      expect.objectContaining({ type: 'metric', name: 'http.server.active_requests', value: 2.5 }),
      expect.objectContaining({ type: 'metric', name: 'http.server.request.duration', value: 0.05, latencyMs: 50 }),
    ]);
    expect(h.sink.stored[2].attributes).toMatchObject({ 'otel.histogram.count': 4, 'otel.metric.unit': 's' });
  });

  it('rejects spans too far in the future through the events validation, in partial_success', async () => {
    h = await harness();
    const future = span({
      startTimeUnixNano: NANOS(NOW + 3 * 3_600_000),
      endTimeUnixNano: NANOS(NOW + 3 * 3_600_000 + 5),
      spanId: Buffer.alloc(8, 4),
    });
    const res = await post(h.app, '/v1/traces', protobuf(traces([kv('service.name', 'checkout')], [span(), future])));
    expect(res.statusCode).toBe(200);
    const partial = decodedTraceResponse(res.rawPayload).partialSuccess!;
    expect(num(partial.rejectedSpans)).toBe(1);
    expect(partial.errorMessage).toMatch(/refused by event validation \(time: event time is more than/);
    expect(h.sink.stored).toHaveLength(1);
  });
});
