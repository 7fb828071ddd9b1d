import { createHash } from 'node:crypto';
import { google } from '@temporalio/proto';
import { Decision, TelemetryEvent, TOPICS, windowKind, WindowMetric } from '@smartscale/contracts';
import { eventually, TopicProbe } from '@smartscale/testing';
import { TraceRequest, TraceResponse } from '../../apps/ingest/src/otlp/otlp-proto';
import { runLoad } from '../../tools/loadgen/loadgen';
import { LocalStack, SLICE_POLICY, startLocalStack } from '../e2e/local-stack';
import { driveApp, expectEverySpanAndTheHistogram, startInstrumentedApp } from './instrumented-app';

// OpenTelemetry in, scaling out: an app instrumented with the official OpenTelemetry JS SDK and its stock
// OTLP exporters, pointed at ingest by endpoint and key only, on the real broker, aggregator replicas
// (real processes), predictor and Temporal worker that `npm test` starts.
jest.setTimeout(240_000);

const SECRET = `otlp-e2e-${Date.now()}`;

describe('OTLP from the OpenTelemetry JS SDK', () => {
  let stack: LocalStack;
  const savedKeys = process.env.SMARTSCALE_API_KEYS;

  beforeAll(async () => {
    // Ingest with API keys on, as deployed; the key covers every service (the e2e run names its service).
    process.env.SMARTSCALE_API_KEYS = `${createHash('sha256').update(SECRET).digest('hex')}:*`;
    stack = await startLocalStack(SLICE_POLICY);
  });
  afterAll(async () => {
    await stack?.close();
    if (savedKeys === undefined) delete process.env.SMARTSCALE_API_KEYS;
    else process.env.SMARTSCALE_API_KEYS = savedKeys;
  });

  it('turns the spans of an SDK-instrumented app (http/protobuf) into windows, a forecast and an applied scale-up', async () => {
    const { run, brokers, ingestUrl, controlUrl } = stack;
    const events = await TopicProbe.open<TelemetryEvent>(brokers, TOPICS.events, run);
    const windows = await TopicProbe.open<WindowMetric>(brokers, TOPICS.metrics, run);
    const app = await startInstrumentedApp({ serviceName: run, endpoint: ingestUrl, apiKey: SECRET, traceProtocol: 'http/protobuf' });
    try {
      const load = await driveApp(app, 40, 12);
      expect(load.failed).toBe(load.sent / 10);
      await app.shutdown();

      // Nothing lost: every span the app ended is a request event on the events topic, under its own ids,
      // and the request-duration histogram arrived through the proto metrics exporter, as latency.
      await expectEverySpanAndTheHistogram(events, app, load);

      const busy = await eventually('a window of span traffic with latency and errors', () =>
        windows.records.find(
          (m) => windowKind(m) === 'tumbling' && (m.countByType.request ?? 0) > 20 && m.latencyP95 !== null && m.errorCount > 0,
        ),
      );
      expect(busy.latencyP95).toBeGreaterThanOrEqual(4);

      const up = await eventually('an applied scale-up', async () => {
        const decisions = (await (await fetch(`${controlUrl}/v1/targets/${run}/decisions`)).json()) as Decision[];
        return decisions.find((d) => d.action === 'up' && d.applied);
      });
      expect(up.to).toBeGreaterThan(up.from);
      const forecasted = await eventually("a decision made with the predictor's forecast", async () => {
        const decisions = (await (await fetch(`${controlUrl}/v1/targets/${run}/decisions`)).json()) as Decision[];
        // A tick can hold for want of an observation (the worker's window reader a window behind the
        // predictor's) while a forecast is there: the one sought used both.
        return decisions.find((d) => d.reasons.some((r) => r.code === 'forecast') && d.inputs.observedEventsPerSecond !== null);
      });
      expect(forecasted.inputs.forecastPeakEventsPerSecond).toBeGreaterThan(0);
    } finally {
      await app.shutdown().catch(() => undefined);
      await Promise.all([events.close(), windows.close()]);
    }
  });

  it('stores every span sent by the http/json exporter', async () => {
    const service = `${stack.run}-json`;
    const events = await TopicProbe.open<TelemetryEvent>(stack.brokers, TOPICS.events, service);
    const app = await startInstrumentedApp({ serviceName: service, endpoint: stack.ingestUrl, apiKey: SECRET, traceProtocol: 'http/json' });
    try {
      await driveApp(app, 20, 1);
      await app.shutdown();
      await eventually('every span on the events topic', () => events.records.filter((e) => e.type !== 'metric').length >= 20);
      expect(new Set(events.records.filter((e) => e.type !== 'metric').map((e) => e.id))).toEqual(new Set(app.spanIds));
    } finally {
      await events.close();
    }
  });

  it('stores every span loadgen --protocol otlp has acknowledged', async () => {
    const service = `${stack.run}-loadgen`;
    const events = await TopicProbe.open<TelemetryEvent>(stack.brokers, TOPICS.events, service);
    try {
      const load = await runLoad({
        url: stack.ingestUrl,
        service,
        shape: { kind: 'constant', rate: 50 },
        durationSeconds: 2,
        batchSize: 25,
        errorRate: 0.1,
        apiKey: SECRET,
        protocol: 'otlp',
      });
      expect(load.accepted).toBe(load.sent);
      expect(load.statuses).toEqual({ 200: load.requests });
      await eventually('every acknowledged span on the topic', () => events.records.length >= load.accepted);
      expect(new Set(events.records.map((e) => e.id))).toEqual(new Set(load.ids));
      expect(events.records.some((e) => e.status === 503)).toBe(true);
    } finally {
      await events.close();
    }
  });

  it('answers bad OTLP input as the spec says, never 5xx, and loses no valid span beside it', async () => {
    const service = `${stack.run}-bad`;
    const events = await TopicProbe.open<TelemetryEvent>(stack.brokers, TOPICS.events, service);
    const post = (body: Buffer | string, contentType = 'application/x-protobuf') =>
      fetch(`${stack.ingestUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': contentType, 'x-api-key': SECRET }, body });
    const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = (id: number) => ({
      traceId: Buffer.alloc(16, 7),
      spanId: Buffer.alloc(8, id),
      name: 'GET /x',
      kind: 2,
      startTimeUnixNano: `${now - 3_000_000n}`,
      endTimeUnixNano: `${now}`,
    });
    try {
      const valid = Buffer.from(
        TraceRequest.encode({
          resourceSpans: [{ resource: { attributes: [kv('service.name', service)] }, scopeSpans: [{ spans: [span(1)] }] }],
        }).finish(),
      );
      const truncated = await post(valid.subarray(0, valid.length - 3));
      expect(truncated.status).toBe(400);
      expect(google.rpc.Status.decode(new Uint8Array(await truncated.arrayBuffer())).message).toMatch(/ExportTraceServiceRequest/);

      const wrongType = await post('{}', 'text/plain');
      expect(wrongType.status).toBe(415);

      // 10,000 resource attributes on the valid resource, and a resource without service.name beside it.
      const many = Array.from({ length: 10_000 }, (_, i) => kv(`k${i}`, `v${i}`));
      const mixed = Buffer.from(
        TraceRequest.encode({
          resourceSpans: [
            { resource: { attributes: [...many, kv('service.name', service)] }, scopeSpans: [{ spans: [span(2)] }] },
            { resource: { attributes: [kv('host.name', 'nameless')] }, scopeSpans: [{ spans: [span(3)] }] },
          ],
        }).finish(),
      );
      const partial = await post(mixed);
      expect(partial.status).toBe(200);
      const answer = TraceResponse.decode(new Uint8Array(await partial.arrayBuffer())) as {
        partialSuccess: { rejectedSpans: { toNumber(): number }; errorMessage: string };
      };
      expect(answer.partialSuccess.rejectedSpans.toNumber()).toBe(1);
      expect(answer.partialSuccess.errorMessage).toMatch(/no service\.name/);

      const stored = await eventually('the valid span stored', () =>
        events.records.find((e) => e.id === `${'07'.repeat(16)}${'02'.repeat(8)}`),
      );
      expect(Object.keys(stored.attributes!).length).toBeLessThanOrEqual(32);
      expect(events.records.some((e) => e.id.endsWith('01'.repeat(8)))).toBe(false);
    } finally {
      await events.close();
    }
  });
});
