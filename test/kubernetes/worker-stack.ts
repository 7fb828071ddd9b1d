import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client, Connection } from '@temporalio/client';
import { TOPICS, workflowIdFor } from '@smartscale/contracts';
import { createKafka, ensureTopics, withAdmin } from '@smartscale/kafka';
import { quietRuntime, REPO_ROOT } from '@smartscale/testing';
import { createWorkerApp } from '../../workflows/src/bootstrap';
import { loadWorkerConfig } from '../../workflows/src/config/worker.config';

/**
 * The worker as deployed, in this process, on the real broker and Temporal dev server, with the targets
 * given: its own task queue, aggregator group and history, so runs never see each other's state.
 */
export interface WorkerStack {
  run: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  worker: NestFastifyApplication;
  controlUrl: string;
  temporal: Client;
  close(): Promise<void>;
}

export async function startWorkerStack(targets: (run: string) => unknown[], extraEnv: Record<string, string> = {}): Promise<WorkerStack> {
  const run = `k8s${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'smartscale-k8s-'));
  const targetsFile = join(dir, 'targets.json');
  writeFileSync(targetsFile, JSON.stringify(targets(run)));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SMARTSCALE_AGGREGATOR_GROUP: `smartscale-aggregator-${run}`,
    SMARTSCALE_TASK_QUEUE: `smartscale-controller-${run}`,
    SMARTSCALE_ROOT: REPO_ROOT,
    SMARTSCALE_TARGETS_FILE: targetsFile,
    SMARTSCALE_LOCAL_SCALER_STATE_DIR: dir,
    SMARTSCALE_HISTORY_URL: `pglite:${join(dir, 'history')}`,
    // Nothing listens here: forecasts fail fast and decisions fall back to the reactive rule.
    SMARTSCALE_PREDICTOR_URL: 'http://127.0.0.1:9',
    ...extraEnv,
  };
  quietRuntime();
  const config = loadWorkerConfig(env);
  await startGroupAtTheEnd(config.kafka.brokers, config.kafka.aggregatorGroup);
  const worker = await createWorkerApp(config);
  await worker.listen(0, '127.0.0.1');
  const temporal = new Client({ connection: await Connection.connect({ address: config.temporal.address }) });
  return {
    run,
    dir,
    env,
    worker,
    controlUrl: await worker.getUrl(),
    temporal,
    async close() {
      // The worker first: a status query of its own still in flight to a controller it no longer runs
      // would otherwise be retried on its closed connection.
      await worker.close();
      for (const t of targets(run) as { id: string }[])
        await temporal.workflow
          .getHandle(workflowIdFor(t.id))
          .terminate('test done')
          .catch(() => undefined);
      await temporal.connection.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new group would count every event already on the topic as pending; start it at the topic's end. */
async function startGroupAtTheEnd(brokers: string[], groupId: string): Promise<void> {
  await withAdmin(createKafka({ brokers, clientId: 'k8s-test-setup' }), async (admin) => {
    await ensureTopics(admin);
    const ends = await admin.fetchTopicOffsets(TOPICS.events);
    await admin.setOffsets({ groupId, topic: TOPICS.events, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
  });
}
