import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TelemetryEvent, TOPICS } from '@smartscale/contracts';
import { eventually, REPO_ROOT, TopicProbe } from '@smartscale/testing';
import { createIngestApp } from '../../apps/ingest/src/bootstrap';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import * as infra from '../../tools/infra';
import { LoadStats, runLoad } from '../../tools/loadgen/loadgen';

// The broker is stopped (SIGTERM, as an operator or an orchestrator would) and started again while
// events flow. Accepted means stored: every id answered 202 must be on the topic afterwards; requests
// during the outage get 503 with Retry-After, and the API recovers by itself once the broker is back.
jest.setTimeout(240_000);

const KAFKA_PID_FILE = join(REPO_ROOT, '.smartscale', 'run', 'kafka.pid');
// Alive and not a zombie: under `npm test` the broker's parent is blocked in spawnSync and cannot reap it.
const alive = (pid: number): boolean => infra.isAlive(pid);

describe('ingest across a broker restart', () => {
  const service = `restart${Date.now().toString(36)}`;
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    if (!existsSync(KAFKA_PID_FILE) || !alive(Number(readFileSync(KAFKA_PID_FILE, 'utf8')))) {
      throw new Error(
        'this fault test stops and restarts the broker that tools/infra started (no live .smartscale/run/kafka.pid): run it through `npm test`',
      );
    }
    app = await createIngestApp(loadIngestConfig({ ...process.env, SMARTSCALE_INGEST_PUBLISH_TIMEOUT_MS: '3000' }));
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterAll(() => app?.close());

  it('keeps every accepted event and recovers on its own', async () => {
    const brokers = [loadIngestConfig(process.env).kafka.brokers].flat();
    const since = await TopicProbe.ends(brokers, TOPICS.events);
    const timeline: { t: number; accepted: number; rejected: number; failed: number }[] = [];
    const load = runLoad({
      url,
      service,
      shape: { kind: 'constant', rate: 200 },
      durationSeconds: 40,
      batchSize: 20,
      errorRate: 0,
      onSecond: (s: LoadStats) => timeline.push({ t: Date.now(), accepted: s.accepted, rejected: s.rejected, failed: s.failed }),
    });

    await eventually('events flowing before the fault', () => (timeline.at(-1)?.accepted ?? 0) > 0, 30_000, 100);
    const pid = Number(readFileSync(KAFKA_PID_FILE, 'utf8'));
    let stoppedAt = 0;
    let restartedAt = 0;
    try {
      process.kill(-pid, 'SIGTERM');
      await eventually('the broker gone', () => !alive(pid), 60_000, 100);
      stoppedAt = Date.now();
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 5_000)); // an outage, not a blip
    } finally {
      // Whatever happened above, the tests after this one need their broker back.
      await infra.up();
      restartedAt = Date.now();
    }

    const result = await load;
    const acceptedBefore = timeline.filter((x) => x.t <= stoppedAt).at(-1)?.accepted ?? 0;
    const acceptedAtRestart = timeline.filter((x) => x.t <= restartedAt).at(-1)?.accepted ?? 0;
    console.log(
      `broker restart: ${result.accepted} accepted (${acceptedBefore} before the stop, ${result.accepted - acceptedAtRestart} after the restart), ` +
        `statuses ${JSON.stringify(result.statuses)}, outage ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s`,
    );
    // The outage was seen by clients as refusals, never as a hang or a crash…
    expect(result.statuses['503'] ?? 0).toBeGreaterThan(0);
    // …and the API took events again after the restart without being restarted itself.
    expect(result.accepted - acceptedAtRestart).toBeGreaterThan(0);
    expect((await fetch(`${url}/health`)).status).toBe(200);

    const events = await TopicProbe.open<TelemetryEvent>(brokers, TOPICS.events, service, since);
    try {
      const stored = await eventually(
        'every accepted id on the topic',
        () => {
          const ids = new Set(events.records.map((e) => e.id));
          return result.ids.every((id) => ids.has(id)) && ids;
        },
        90_000,
        500,
      );
      expect(result.ids.filter((id) => !stored.has(id))).toEqual([]);
      expect(result.ids.length).toBe(result.accepted);
    } finally {
      await events.close();
    }
  });
});
