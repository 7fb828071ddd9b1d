import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client, Connection } from '@temporalio/client';
import { ControllerStatus, Decision, statusQuery, TelemetryEvent, TOPICS, WindowMetric, workflowIdFor } from '@smartscale/contracts';
import { eventually, quietRuntime, REPO_ROOT, TopicProbe } from '@smartscale/testing';
import { createIngestApp } from '../../apps/ingest/src/bootstrap';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { createPredictorApp } from '../../apps/predictor/src/bootstrap';
import { loadPredictorConfig } from '../../apps/predictor/src/config/predictor.config';
import { runLoad } from '../../tools/loadgen/loadgen';
import { createWorkerApp } from '../../workflows/src/bootstrap';
import { loadWorkerConfig } from '../../workflows/src/config/worker.config';

// The walking skeleton end to end, on the real broker and the real Temporal dev server that
// `npm test` starts: HTTP events → events topic → aggregator replicas (real processes, spawned by the
// local scaler) → metrics topic → predictor → controller workflow → scale up → pause stops scaling.
jest.setTimeout(240_000);

const RUN = `e2e${Date.now().toString(36)}`;
const WINDOW_MS = 2_000;
const env = {
  ...process.env,
  SMARTSCALE_WINDOW_MS: String(WINDOW_MS),
  SMARTSCALE_GRACE_MS: '500',
  SMARTSCALE_PARTITION_IDLE_MS: '2000',
  SMARTSCALE_AGGREGATOR_GROUP: `smartscale-aggregator-${RUN}`,
  SMARTSCALE_INGEST_PORT: '0',
  SMARTSCALE_PREDICTOR_PORT: '0',
  SMARTSCALE_CONTROL_PORT: '0',
  SMARTSCALE_TASK_QUEUE: `smartscale-controller-${RUN}`,
};

describe('the vertical slice', () => {
  const apps: NestFastifyApplication[] = [];
  let ingestUrl: string;
  let controlUrl: string;
  let temporal: Client;
  const brokers = loadIngestConfig(env).kafka.brokers;

  beforeAll(async () => {
    // The local scaler's replicas inherit this process's environment: give them the test's windows and group.
    Object.assign(process.env, env);
    quietRuntime();
    const ingest = await createIngestApp(loadIngestConfig(env));
    const predictor = await createPredictorApp(loadPredictorConfig(env));
    apps.push(ingest, predictor);
    await Promise.all(apps.map((a) => a.listen(0, '127.0.0.1')));
    ingestUrl = await ingest.getUrl();
    const dir = mkdtempSync(join(tmpdir(), 'smartscale-e2e-'));
    const targetsFile = join(dir, 'targets.json');
    writeFileSync(targetsFile, JSON.stringify([{ id: RUN, service: RUN, scaler: { kind: 'local' }, policy: {
      minReplicas: 1, maxReplicas: 3, capacityPerReplica: 10, headroom: 0, tickIntervalMs: 1_000,
      scaleUpCooldownMs: 2_000, scaleDownCooldownMs: 2_000, scaleDownStabilizationMs: 60_000, forecastHorizonWindows: 2,
    } }]));
    const worker = await createWorkerApp(loadWorkerConfig({
      ...env, SMARTSCALE_ROOT: REPO_ROOT, SMARTSCALE_TARGETS_FILE: targetsFile, SMARTSCALE_LOCAL_SCALER_STATE_DIR: dir,
      SMARTSCALE_PREDICTOR_URL: await predictor.getUrl(),
    }));
    apps.push(worker);
    await worker.listen(0, '127.0.0.1');
    controlUrl = await worker.getUrl();
    temporal = new Client({ connection: await Connection.connect({ address: loadWorkerConfig(env).temporal.address }) });
  });

  afterAll(async () => {
    await temporal?.workflow.getHandle(workflowIdFor(RUN)).terminate('e2e done').catch(() => undefined);
    await temporal?.connection.close();
    for (const app of apps.reverse()) await app.close();
  });

  const status = async (): Promise<ControllerStatus> => (await fetch(`${controlUrl}/v1/targets/${RUN}`)).json() as Promise<ControllerStatus>;

  it('answers 400 with every offending index, and stores nothing of a bad batch', async () => {
    const res = await fetch(`${ingestUrl}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ service: RUN, type: 'request', time: Date.now() }, { service: RUN, type: 'nope', time: Date.now() }]),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: unknown[] }).issues).toEqual([expect.objectContaining({ index: 1, path: 'type' })]);
  });

  it('stores every accepted event, emits windows, scales up on a spike, and stops scaling once paused', async () => {
    const events = await TopicProbe.open<TelemetryEvent>(brokers, TOPICS.events, RUN);
    const metrics = await TopicProbe.open<WindowMetric>(brokers, TOPICS.metrics, RUN);
    try {
      const spike = await runLoad({ url: ingestUrl, service: RUN, shape: { kind: 'constant', rate: 40 }, durationSeconds: 12, batchSize: 20, errorRate: 0.1 });
      expect(spike.failed + spike.rejected).toBe(0);

      // Accepted means stored: every acknowledged id is on the events topic.
      await eventually('every accepted event on the topic', () => events.records.length >= spike.accepted);
      expect(new Set(events.records.map((e) => e.id))).toEqual(new Set(spike.ids));

      const busy = await eventually('a closed window with traffic', () => metrics.records.find((m) => m.count > 0));
      expect(busy.windowEnd - busy.windowStart).toBe(WINDOW_MS);

      const up = await eventually('an applied scale-up', async () => {
        const decisions = (await (await fetch(`${controlUrl}/v1/targets/${RUN}/decisions`)).json()) as Decision[];
        return decisions.find((d) => d.action === 'up' && d.applied && d.from >= 1);
      });
      expect(up.to).toBeGreaterThan(up.from);
      expect(up.to).toBeLessThanOrEqual(3);

      const pause = await fetch(`${controlUrl}/v1/targets/${RUN}/pause`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'e2e' }) });
      expect(pause.status).toBe(202);
      const handle = temporal.workflow.getHandle(workflowIdFor(RUN));
      await eventually('the workflow reports paused', async () => (await handle.query(statusQuery)).paused?.reason === 'e2e');
      const paused = await status();

      // Load that would scale further (max 3) arrives while paused: nothing is decided or applied.
      const more = await runLoad({ url: ingestUrl, service: RUN, shape: { kind: 'constant', rate: 60 }, durationSeconds: 6, batchSize: 30, errorRate: 0 });
      expect(more.accepted).toBe(more.sent);
      await eventually('windows of the paused period', () => metrics.records.some((m) => m.windowStart > paused.lastDecision!.at));
      const after = await handle.query(statusQuery);
      expect(after.seq).toBe(paused.seq);
      expect(after.currentReplicas).toBe(paused.currentReplicas);
    } finally {
      await Promise.all([events.close(), metrics.close()]);
    }
  });
});
