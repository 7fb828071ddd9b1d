import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { TelemetryEvent } from '@smartscale/contracts';
import { eventually } from '@smartscale/testing';

/**
 * A small service instrumented the way any OpenTelemetry user instruments one: the official JS SDK,
 * a SERVER span per request with the HTTP semantic-convention attributes, a request-duration histogram,
 * and the stock OTLP exporters. Pointing it at SmartScale takes only the exporter endpoint and a key
 * header: nothing in it knows SmartScale's own event format.
 */
export interface InstrumentedAppOptions {
  serviceName: string;
  /** OTLP/HTTP base URL, as OTEL_EXPORTER_OTLP_ENDPOINT: the exporters post to /v1/traces and /v1/metrics under it. */
  endpoint: string;
  /** Sent as `Authorization: Bearer <key>`, as OTEL_EXPORTER_OTLP_HEADERS would. */
  apiKey: string;
  /** The trace exporter: http/protobuf (exporter-trace-otlp-proto) or http/json (exporter-trace-otlp-http). */
  traceProtocol: 'http/protobuf' | 'http/json';
}

export interface InstrumentedApp {
  url: string;
  /** "<trace id><span id>" of every SERVER span ended so far. */
  spanIds: string[];
  /** Flushes every span and metric to the exporters, then stops. */
  shutdown(): Promise<void>;
}

export async function startInstrumentedApp(options: InstrumentedAppOptions): Promise<InstrumentedApp> {
  const resource = resourceFromAttributes({
    'service.name': options.serviceName,
    'service.version': '1.0.0',
    'deployment.environment.name': 'test',
  });
  const headers = { authorization: `Bearer ${options.apiKey}` };
  const traceExporterOptions = { url: `${options.endpoint}/v1/traces`, headers };
  const traceExporter =
    options.traceProtocol === 'http/protobuf'
      ? new OTLPProtoTraceExporter(traceExporterOptions)
      : new OTLPJsonTraceExporter(traceExporterOptions);
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor({ exporter: traceExporter, scheduledDelayMillis: 200, maxExportBatchSize: 512 })],
  });
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${options.endpoint}/v1/metrics`, headers }),
        exportIntervalMillis: 1_000,
      }),
    ],
  });
  // Providers used directly, not registered globally: several apps share this test process.
  const tracer = tracerProvider.getTracer('instrumented-app', '1.0.0');
  const duration = meterProvider
    .getMeter('instrumented-app')
    .createHistogram('http.server.request.duration', { unit: 's', description: 'Duration of HTTP server requests' });

  const spanIds: string[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://app');
    const started = performance.now();
    const span = tracer.startSpan(`${req.method} /work`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method ?? 'GET', 'http.route': '/work', 'url.path': url.pathname },
    });
    const fail = url.searchParams.get('fail') === '1';
    setTimeout(
      () => {
        const status = fail ? 500 : 200;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(fail ? 'boom' : 'ok');
        span.setAttribute('http.response.status_code', status);
        if (fail) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
        span.end();
        const { traceId, spanId } = span.spanContext();
        spanIds.push(`${traceId}${spanId}`);
        duration.record((performance.now() - started) / 1000, {
          'http.request.method': req.method ?? 'GET',
          'http.route': '/work',
          'http.response.status_code': status,
        });
      },
      Number(url.searchParams.get('ms') ?? 5),
    );
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spanIds,
    async shutdown() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** Calls the app at `rate` requests/s for `seconds`, `errorEvery`-th request failing; bounded, loopback only. */
export async function driveApp(
  app: InstrumentedApp,
  rate: number,
  seconds: number,
  errorEvery = 10,
): Promise<{ sent: number; failed: number }> {
  const total = rate * seconds;
  const started = Date.now();
  const calls: Promise<Response>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    calls.push(fetch(`${app.url}/work?ms=${5 + (i % 20)}&fail=${i % errorEvery === errorEvery - 1 ? 1 : 0}`));
  }
  const answers = await Promise.all(calls);
  await Promise.all(answers.map((a) => a.text()));
  return { sent: total, failed: answers.filter((a) => a.status >= 500).length };
}

/**
 * What arrives from the app's exporters, however relayed: every span it ended is a request event under its
 * own ids, with its failures, latency and span and resource attributes; and the request-duration histogram
 * (unit s) arrives as a metric event with its latency.
 */
export async function expectEverySpanAndTheHistogram(
  events: { records: TelemetryEvent[] },
  app: InstrumentedApp,
  load: { failed: number },
): Promise<void> {
  const requests = (): TelemetryEvent[] => events.records.filter((e) => e.type !== 'metric');
  await eventually('every span on the events topic', () => requests().length >= app.spanIds.length);
  expect(new Set(requests().map((e) => e.id))).toEqual(new Set(app.spanIds));
  expect(requests().filter((e) => e.status === 500)).toHaveLength(load.failed);
  expect(
    requests().every((e) => e.latencyMs! >= 4 && e.attributes?.['http.route'] === '/work' && e.attributes?.['service.version'] === '1.0.0'),
  ).toBe(true);
  const histogram = await eventually('a request-duration metric event', () =>
    events.records.find((e) => e.type === 'metric' && e.name === 'http.server.request.duration'),
  );
  expect(histogram.latencyMs).toBeGreaterThanOrEqual(4);
}
