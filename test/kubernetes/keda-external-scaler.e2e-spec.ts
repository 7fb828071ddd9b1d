import { join } from 'node:path';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import type { Client, ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Decision, decisionsQuery, workflowIdFor } from '@smartscale/contracts';
import { eventually, REPO_ROOT } from '@smartscale/testing';
import { createIngestApp } from '../../apps/ingest/src/bootstrap';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { runLoad } from '../../tools/loadgen/loadgen';
import { ExternalScalerService } from '../../workflows/src/keda/external-scaler.service';
import { LocalSupervisorScaler } from '../../workflows/src/scalers/local-supervisor.scaler';
import { startWorkerStack, WorkerStack } from './worker-stack';

jest.setTimeout(300_000);

// KEDA's side of the contract, generated at test time from the proto file KEDA publishes (the copy the
// worker serves), against a worker on the real broker and Temporal. The test plays KEDA: it follows the
// stream and the metric, and scales the workload (real aggregator processes) to what it is told.
const PROTO = join(REPO_ROOT, 'workflows/src/keda/externalscaler.proto');
type Unary = (req: unknown, cb: (err: ServiceError | null, res: Record<string, unknown>) => void) => void;
type KedaClient = Client &
  Record<'IsActive' | 'GetMetricSpec' | 'GetMetrics', Unary> & { StreamIsActive(req: unknown): ClientReadableStream<{ result: boolean }> };

const TICK_MS = 2_000;
const WINDOW_MS = 2_000;

describe('KEDA external scaler served by the worker', () => {
  let stack: WorkerStack;
  let ingest: NestFastifyApplication;
  let workload: LocalSupervisorScaler;
  let client: KedaClient;
  let targetId: string;
  const ref = () => ({ name: 'checkout', namespace: 'shop', scalerMetadata: { scalerAddress: 'ignored-by-the-server', targetId } });
  const call = (method: 'IsActive' | 'GetMetricSpec' | 'GetMetrics', req: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => client[method](req, (err, res) => (err ? reject(err) : resolve(res))));
  const metric = async () =>
    (
      (await call('GetMetrics', { scaledObjectRef: ref(), metricName: 's0-smartscale-replicas' })).metricValues as { metricValue: number }[]
    )[0].metricValue;
  const decisions = () => stack.temporal.workflow.getHandle(workflowIdFor(targetId)).query(decisionsQuery);

  beforeAll(async () => {
    const windows = { SMARTSCALE_WINDOW_MS: String(WINDOW_MS), SMARTSCALE_GRACE_MS: '500', SMARTSCALE_PARTITION_IDLE_MS: '2000' };
    stack = await startWorkerStack(
      (run) => [
        {
          id: run,
          service: run,
          scaler: { kind: 'keda' },
          policy: {
            minReplicas: 0,
            maxReplicas: 4,
            capacityPerReplica: 50,
            tickIntervalMs: TICK_MS,
            activationLag: 1,
            scaleUpCooldownMs: 0,
            scaleDownCooldownMs: 0,
            forecastHorizonWindows: 0,
          },
        },
      ],
      { ...windows, SMARTSCALE_KEDA_ENABLED: 'true', SMARTSCALE_KEDA_PORT: '0' },
    );
    targetId = stack.run;
    ingest = await createIngestApp(loadIngestConfig(stack.env));
    await ingest.listen(0, '127.0.0.1');
    // The workload KEDA scales: aggregator processes in the target's consumer group, at zero to start.
    workload = new LocalSupervisorScaler({
      targetId: `${targetId}-workload`,
      entry: join(REPO_ROOT, 'dist/apps/aggregator/src/main.js'),
      stateDir: stack.dir,
      initialReplicas: 0,
      env: stack.env,
    });
    await workload.start();
    const port = stack.worker.get(ExternalScalerService).port();
    const pkg = loadPackageDefinition(loadSync(PROTO, { keepCase: true, longs: Number, defaults: true })) as unknown as {
      externalscaler: { ExternalScaler: new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => KedaClient };
    };
    client = new pkg.externalscaler.ExternalScaler(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await workload?.close();
    await ingest?.close();
    await stack?.close();
  });

  it('answers the metric spec: one metric, one replica per unit', async () => {
    await expect(call('GetMetricSpec', ref())).resolves.toEqual({
      metricSpecs: [{ metricName: 'smartscale-replicas', targetSize: 1, targetSizeFloat: 1 }],
    });
  });

  it('activates from zero by a push within one tick of the decision, then the metric follows a load step', async () => {
    const idle = await eventually('a decision at zero', async () => (await decisions()).find((d) => d.to === 0));
    expect(idle.applied || idle.action === 'hold').toBe(true);
    await expect(call('IsActive', ref())).resolves.toEqual({ result: false });
    await expect(metric()).resolves.toBe(0);

    const stream = client.StreamIsActive(ref());
    const pushed: { result: boolean; at: number }[] = [];
    stream.on('data', (m: { result: boolean }) => pushed.push({ result: m.result, at: Date.now() }));
    stream.on('error', () => undefined); // cancelled at the end
    try {
      await eventually("the stream's first message", () => pushed[0], 10_000, 50);
      expect(pushed[0].result).toBe(false);

      const base = runLoad({
        url: await ingest.getUrl(),
        service: targetId,
        shape: { kind: 'constant', rate: 20 },
        durationSeconds: 70,
        batchSize: 10,
        errorRate: 0,
        keepIds: false,
      });
      const active = await eventually('a push saying active', () => pushed.find((m) => m.result), 60_000, 50);
      const activation = await eventually('the activation decision', async () =>
        (await decisions()).find((d) => d.applied && d.from === 0 && d.to > 0),
      );
      expect(activation.reasons[0].code).toBe('activation');
      console.log(
        `keda: activation decision #${activation.seq} → pushed to the stream ${active.at - activation.at} ms later (tick ${TICK_MS} ms)`,
      );
      expect(active.at - activation.at).toBeLessThan(TICK_MS);
      await expect(call('IsActive', ref())).resolves.toEqual({ result: true });
      // KEDA scales the workload from zero to one on activation; the HPA takes over above one.
      let kedaScales = 0; // KEDA's own writes, each a new one
      await workload.apply(await metric(), `keda/${++kedaScales}`);

      // The load step: 20 → 170 events/s at 50 per replica. The metric climbs to what the controller chose.
      const step = runLoad({
        url: await ingest.getUrl(),
        service: targetId,
        shape: { kind: 'constant', rate: 150 },
        durationSeconds: 40,
        batchSize: 10,
        errorRate: 0,
        keepIds: false,
      });
      const high = await eventually(
        'the metric after the load step',
        async () => {
          const n = await metric();
          if (n !== (await workload.current())) await workload.apply(n, `keda/${++kedaScales}`);
          return n >= 3 && n;
        },
        120_000,
        500,
      );
      // The count served is the one a recorded decision chose, with its reasons.
      const last = (await decisions()).find((d: Decision) => d.applied && d.to === high)!;
      expect(last).toBeDefined();
      expect(last.reasons.length).toBeGreaterThan(0);
      expect(last.inputs.observedEventsPerSecond).toBeGreaterThan(50);
      console.log(`keda: metric ${high} after the load step (decision #${last.seq}: ${last.reasons.map((r) => r.code).join(', ')})`);
      expect(pushed.filter((m) => m.result).length).toBeGreaterThanOrEqual(1);
      await Promise.all([base, step]);
    } finally {
      stream.cancel();
    }
  });
});
