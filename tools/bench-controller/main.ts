/**
 * How many decisions one worker makes per second across many targets, and how long a tick takes
 * from observing to the scale applied, on the real Temporal dev server with the real controller
 * workflow (the benchmark starts the local stack if it is not running).
 *
 *   npm run bench:controller -- [--targets 1000] [--tick-ms 1000] [--seconds 60] [--json]
 *
 * The activities are instrumented stand-ins (a sine load per target, an in-memory replica count), so
 * the figures measure the workflow, its history and Temporal, not the broker or a scaler. With the
 * tick shorter than the worker can serve, `decisions_per_s` is the worker's ceiling.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Command } from 'commander';
import { CONTROLLER_WORKFLOW_TYPE, parsePolicy, ScalingTarget, workflowIdFor } from '@smartscale/contracts';
import { bundleControllerWorkflows } from '../../workflows/src/worker/workflow-bundle';
import { infra, REPO } from '../bench-common/broker';
import { ControllerBenchFigures, InstrumentedActivities } from './bench';

interface Options {
  targets: string;
  tickMs: string;
  seconds: string;
  warmup: string;
  json?: boolean;
}

const CONCURRENCY = 50;

async function inBatches<T>(items: T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += CONCURRENCY) await Promise.all(items.slice(i, i + CONCURRENCY).map(fn));
}

async function main(): Promise<void> {
  const o = new Command('bench-controller')
    .option('--targets <n>', 'controller workflows, one per target', '1000')
    .option('--tick-ms <ms>', "each target's tick interval", '1000')
    .option('--seconds <n>', 'measured seconds', '60')
    .option('--warmup <n>', 'seconds before measuring (workflows started, caches warm)', '15')
    .option('--json', 'print the figures as JSON')
    .parse(process.argv)
    .opts<Options>();
  const [targets, tickMs, seconds, warmup] = [o.targets, o.tickMs, o.seconds, o.warmup].map(Number);
  const log = (m: string) => (o.json ? process.stderr : process.stdout).write(`[bench:controller] ${m}\n`);

  // Core's warnings about tasks of workflows terminated at the end are expected here.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
  });
  await infra.up();
  const { address } = infra.config().temporal;
  const run = `bench${Date.now().toString(36)}`;
  const taskQueue = `smartscale-bench-${run}`;
  // The default policy (cooldowns, stabilisation, tolerance) on a fast tick: most ticks hold, as in a fleet.
  const policy = parsePolicy({
    minReplicas: 1,
    maxReplicas: 20,
    capacityPerReplica: 50,
    tickIntervalMs: tickMs,
    forecastHorizonWindows: 0,
  });
  const list: ScalingTarget[] = Array.from({ length: targets }, (_, i) => ({
    id: `${run}-${i}`,
    service: `svc-${i}`,
    scaler: { kind: 'local' },
    policy,
  }));
  const index = new Map(list.map((t, i) => [t.id, i]));
  const instrumented = new InstrumentedActivities((id) => index.get(id) ?? 0, 1_000);

  log(`bundling the workflow and starting a worker on ${taskQueue}`);
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await bundleControllerWorkflows(REPO),
    activities: instrumented.activities(),
    maxCachedWorkflows: targets + 100,
  });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address }) });
  try {
    const t0 = Date.now();
    await inBatches(list, (target) =>
      client.workflow.start(CONTROLLER_WORKFLOW_TYPE, { workflowId: workflowIdFor(target.id), taskQueue, args: [{ target }] }),
    );
    log(`${targets} workflows started in ${((Date.now() - t0) / 1000).toFixed(1)} s; warming up ${warmup} s`);
    await new Promise((r) => setTimeout(r, warmup * 1000));
    instrumented.measuring = true;
    const m0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    instrumented.measuring = false;
    const measured = (Date.now() - m0) / 1000;

    const sample = list.slice(0, Math.min(20, targets));
    let events = 0;
    let decisions = 0;
    for (const t of sample) {
      const history = await client.workflow.getHandle(workflowIdFor(t.id)).fetchHistory();
      events += history.events?.length ?? 0;
      decisions += instrumented.decisionsByTarget.get(t.id) ?? 0;
    }
    const figures: ControllerBenchFigures = instrumented.figures(targets, tickMs, measured, decisions > 0 ? events / decisions : null);
    if (o.json) console.log(JSON.stringify(figures, null, 2));
    else console.table(figures);
  } finally {
    log('terminating the benchmark workflows');
    await inBatches(list, (t) =>
      client.workflow
        .getHandle(workflowIdFor(t.id))
        .terminate('benchmark done')
        .catch(() => undefined),
    );
    worker.shutdown();
    await running;
    await client.connection.close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
