import { createHash } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TelemetryEvent, TOPICS } from '@smartscale/contracts';
import { eventually, TopicProbe } from '@smartscale/testing';
import { createIngestApp } from '../../apps/ingest/src/bootstrap';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { CollectorProcess, ensureCollectorBuilt, OTELCOL_VERSION, startCollector } from './collector-process';
import { driveApp, expectEverySpanAndTheHistogram, startInstrumentedApp } from './instrumented-app';

// The deployment most OpenTelemetry users already have: SDK → OpenTelemetry Collector → backend. The
// Collector is the real one, built from the Go module proxy by tools/infra (otelcol.ts; OTLP receiver,
// batch processor, OTLP/HTTP exporter with its default protobuf + gzip); ingest is the real app with API
// keys on, on the real broker. The Collector holds the key (exporter headers); the app knows only the
// Collector's endpoint.
jest.setTimeout(120_000);

const SECRET = `otelcol-e2e-${Date.now()}`;

describe(`OTLP relayed by the OpenTelemetry Collector ${OTELCOL_VERSION}`, () => {
  const service = `otelcol${Date.now().toString(36)}`;
  let ingest: NestFastifyApplication;
  let ingestUrl: string;
  let brokers: string[];

  beforeAll(async () => {
    ensureCollectorBuilt(); // a no-op when `npm test` (or an earlier run) built it
    // A key scoped to this test's services only, as an operator would give a Collector.
    const config = loadIngestConfig({
      ...process.env,
      SMARTSCALE_API_KEYS: `${createHash('sha256').update(SECRET).digest('hex')}:${service}`,
    });
    brokers = [config.kafka.brokers].flat();
    ingest = await createIngestApp(config);
    await ingest.listen(0, '127.0.0.1');
    ingestUrl = await ingest.getUrl();
  }, 30 * 60_000);
  afterAll(() => ingest?.close());

  it('relays every span and the request-duration histogram of an SDK-instrumented app to the events topic', async () => {
    const events = await TopicProbe.open<TelemetryEvent>(brokers, TOPICS.events, service);
    const collector = await startCollector({ exportTo: ingestUrl, headers: { authorization: `Bearer ${SECRET}` } });
    const app = await startInstrumentedApp({
      serviceName: service,
      endpoint: collector.endpoint,
      apiKey: 'not-needed-by-the-collector',
      traceProtocol: 'http/protobuf',
    });
    try {
      const load = await driveApp(app, 40, 5);
      expect(load.failed).toBe(load.sent / 10);
      await app.shutdown();

      // Nothing lost on the way: every span the app ended is a request event under its own trace/span ids.
      expect(app.spanIds).toHaveLength(load.sent);
      // Span and resource attributes survive the Collector (it re-encodes, batches and gzips them), and
      // metrics take the same path.
      await expectEverySpanAndTheHistogram(events, app, load);
      // Ingest answered every export with a success: the Collector logged no failed or partial export.
      expect(collector.output()).not.toMatch(/Exporting failed|Partial success/);
    } finally {
      await app.shutdown().catch(() => undefined);
      await stopAndReport(collector);
      await events.close();
    }
  });

  it('a Collector with an unknown key gets 403, drops the batch without retrying, and nothing is stored', async () => {
    const denied = `${service}-other`;
    const events = await TopicProbe.open<TelemetryEvent>(brokers, TOPICS.events, denied);
    const collector = await startCollector({ exportTo: ingestUrl, headers: { authorization: `Bearer ${SECRET}-wrong` } });
    const app = await startInstrumentedApp({
      serviceName: denied,
      endpoint: collector.endpoint,
      apiKey: 'not-needed-by-the-collector',
      traceProtocol: 'http/protobuf',
    });
    try {
      await driveApp(app, 20, 1);
      await app.shutdown();
      // The Collector treats 403 as permanent (the spec: no retry for 4xx other than 429): one error, data dropped.
      const log = await eventually(
        'the Collector logging the refused export',
        () => /HTTP Status Code 403/.test(collector.output()) && collector.output(),
        30_000,
      );
      expect(log).toMatch(/Exporting failed\. (Dropping|Rejecting) data\..*not retryable error: Permanent error: .*HTTP Status Code 403/);
      // Refused before the body is read: nothing of that service reached the topic (its probe saw nothing).
      expect(events.records).toHaveLength(0);
    } finally {
      await app.shutdown().catch(() => undefined);
      await stopAndReport(collector);
      await events.close();
    }
  });
});

/** Stops the Collector and fails with its log when it did not shut down cleanly (SIGTERM flushes, exit 0). */
async function stopAndReport(collector: CollectorProcess): Promise<void> {
  const code = await collector.stop();
  if (code !== 0) throw new Error(`the Collector exited with ${code}:\n${collector.output()}`);
}
