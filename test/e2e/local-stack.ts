import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client, Connection } from '@temporalio/client';
import { TOPICS, workflowIdFor } from '@smartscale/contracts';
import { createKafka, ensureTopics, withAdmin } from '@smartscale/kafka';
import { quietRuntime, REPO_ROOT } from '@smartscale/testing';
import { createIngestApp } from '../../apps/ingest/src/bootstrap';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { createPredictorApp } from '../../apps/predictor/src/bootstrap';
import { loadPredictorConfig } from '../../apps/predictor/src/config/predictor.config';
import { createWorkerApp } from '../../workflows/src/bootstrap';
import { loadWorkerConfig } from '../../workflows/src/config/worker.config';

/**
 * Ingest, predictor and worker in this process, on the real broker and Temporal dev server, with one
 * target whose aggregator replicas are real processes. Every run gets its own target, service,
 * aggregator group and task queue, so runs never see each other's state.
 */
export interface LocalStack {
  run: string;
  brokers: string[];
  ingestUrl: string;
  controlUrl: string;
  temporal: Client;
  close(): Promise<void>;
}

export const WINDOW_MS = 2_000;

/**
 * The policy of the slice tests that drive one target through a scale-up: one replica per 10 ev/s,
 * 1 s ticks and 2 s cooldowns so a run takes seconds, a 60 s stabilisation so nothing scales back
 * down while the test reads the decision.
 */
export const SLICE_POLICY = {
  minReplicas: 1,
  maxReplicas: 3,
  capacityPerReplica: 10,
  headroom: 0,
  tickIntervalMs: 1_000,
  scaleUpCooldownMs: 2_000,
  scaleDownCooldownMs: 2_000,
  scaleDownStabilizationMs: 60_000,
  forecastHorizonWindows: 2,
};

export async function startLocalStack(policy: Record<string, unknown>): Promise<LocalStack> {
  const run = `e2e${Date.now().toString(36)}`;
  const env = {
    ...process.env,
    SMARTSCALE_WINDOW_MS: String(WINDOW_MS),
    SMARTSCALE_GRACE_MS: '500',
    SMARTSCALE_PARTITION_IDLE_MS: '2000',
    SMARTSCALE_AGGREGATOR_GROUP: `smartscale-aggregator-${run}`,
    SMARTSCALE_TASK_QUEUE: `smartscale-controller-${run}`,
  };
  // The local scaler's replicas inherit this process's environment: give them the test's windows and group.
  Object.assign(process.env, env);
  quietRuntime();
  const brokers = loadIngestConfig(env).kafka.brokers;
  await startGroupAtTheEnd(brokers, env.SMARTSCALE_AGGREGATOR_GROUP);
  const apps: NestFastifyApplication[] = [await createIngestApp(loadIngestConfig(env)), await createPredictorApp(loadPredictorConfig(env))];
  await Promise.all(apps.map((a) => a.listen(0, '127.0.0.1')));
  const dir = mkdtempSync(join(tmpdir(), 'smartscale-e2e-'));
  const targetsFile = join(dir, 'targets.json');
  writeFileSync(targetsFile, JSON.stringify([{ id: run, service: run, scaler: { kind: 'local' }, policy }]));
  const worker = await createWorkerApp(
    loadWorkerConfig({
      ...env,
      SMARTSCALE_ROOT: REPO_ROOT,
      SMARTSCALE_TARGETS_FILE: targetsFile,
      SMARTSCALE_LOCAL_SCALER_STATE_DIR: dir,
      SMARTSCALE_HISTORY_URL: `pglite:${join(dir, 'history')}`,
      SMARTSCALE_PREDICTOR_URL: await apps[1].getUrl(),
    }),
  );
  apps.push(worker);
  await worker.listen(0, '127.0.0.1');
  const temporal = new Client({ connection: await Connection.connect({ address: loadWorkerConfig(env).temporal.address }) });
  return {
    run,
    brokers,
    ingestUrl: await apps[0].getUrl(),
    controlUrl: await worker.getUrl(),
    temporal,
    async close() {
      await temporal.workflow
        .getHandle(workflowIdFor(run))
        .terminate('e2e done')
        .catch(() => undefined);
      await temporal.connection.close();
      for (const app of apps.reverse()) await app.close();
    },
  };
}

/**
 * A new group would replay the whole events topic (earlier runs' events included); committing it at
 * the topic's end first makes it see only this run's events, as a group that has been running does.
 */
async function startGroupAtTheEnd(brokers: string[], groupId: string): Promise<void> {
  await withAdmin(createKafka({ brokers, clientId: 'e2e-setup' }), async (admin) => {
    await ensureTopics(admin);
    const ends = await admin.fetchTopicOffsets(TOPICS.events);
    await admin.setOffsets({ groupId, topic: TOPICS.events, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
  });
}
