import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { TelemetryEvent } from '@smartscale/contracts';
import { AppModule } from '../app.module';
import { loadIngestConfig } from '../config/ingest.config';
import { EVENT_SINK, EventSink } from '../events/event-sink.adapter';

class RecordingSink implements EventSink {
  stored: TelemetryEvent[] = [];
  async publish(events: TelemetryEvent[]): Promise<void> {
    this.stored.push(...events);
  }
  async ready(): Promise<boolean> {
    return true;
  }
}

/**
 * The wire formats of the official OpenTelemetry JS exporters (http/protobuf and http/json for traces,
 * http/protobuf for metrics), against the receiver listening on loopback with the broker replaced.
 */
describe('OTLP receiver with the OpenTelemetry JS exporters', () => {
  let app: NestFastifyApplication;
  let sink: RecordingSink;
  let endpoint: string;

  beforeAll(async () => {
    sink = new RecordingSink();
    const config = loadIngestConfig({});
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(config)] })
      .overrideProvider(EVENT_SINK)
      .useValue(sink)
      .compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter({ bodyLimit: config.http.bodyLimitBytes }), {
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
    endpoint = await app.getUrl();
  });
  afterAll(() => app?.close());

  it.each([
    ['http/protobuf', (url: string) => new ProtoTraceExporter({ url })],
    ['http/json', (url: string) => new JsonTraceExporter({ url })],
  ])('stores the SERVER spans the %s trace exporter sends, under their trace and span ids', async (protocol, exporter) => {
    const service = `svc-${protocol.replace('/', '-')}`;
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [new SimpleSpanProcessor({ exporter: exporter(`${endpoint}/v1/traces`) })],
    });
    const tracer = provider.getTracer('spec');
    const ok = tracer.startSpan('GET /a', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 200 } });
    ok.end();
    const failed = tracer.startSpan('GET /b', { kind: SpanKind.SERVER });
    failed.setStatus({ code: SpanStatusCode.ERROR });
    failed.end();
    tracer.startSpan('db query', { kind: SpanKind.CLIENT }).end();
    await provider.shutdown();
    const mine = sink.stored.filter((e) => e.service === service);
    expect(mine.map((e) => [e.id, e.type, e.status])).toEqual([
      [`${ok.spanContext().traceId}${ok.spanContext().spanId}`, 'request', 200],
      [`${failed.spanContext().traceId}${failed.spanContext().spanId}`, 'error', undefined],
    ]);
  });

  it('stores the histogram the http/protobuf metrics exporter sends as a metric event with latency', async () => {
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'svc-metrics' }),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }),
          exportIntervalMillis: 60_000,
        }),
      ],
    });
    const h = provider.getMeter('spec').createHistogram('http.server.request.duration', { unit: 's' });
    h.record(0.1);
    h.record(0.3);
    await provider.shutdown();
    expect(sink.stored.filter((e) => e.service === 'svc-metrics')).toEqual([
      expect.objectContaining({ type: 'metric', name: 'http.server.request.duration', value: 0.2, latencyMs: 200 }),
    ]);
  });
});
