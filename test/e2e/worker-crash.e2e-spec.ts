import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ControllerStatus, Decision, decisionsQuery, statusQuery, workflowIdFor } from '@smartscale/contracts';
import { eventually, freePort, REPO_ROOT } from '@smartscale/testing';
import { loadWorkerConfig } from '../../workflows/src/config/worker.config';

// The worker process is killed (SIGKILL) while the apply activity is inside the scaler call. After it
// restarts, Temporal retries the activity with the same idempotency key, the workflow carries on
// from its history, and the target sees exactly one scale change.
jest.setTimeout(240_000);

interface ApplyCall {
  key: string | undefined;
  body: { target: string; replicas: number; idempotencyKey: string };
  at: number;
}

/** A webhook receiver that holds the first call open (the worker dies inside it) and answers the rest. */
class ScaleReceiver {
  readonly calls: ApplyCall[] = [];
  readonly applied = new Map<string, number>();
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/scale`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw) as ApplyCall['body'];
    this.calls.push({ key: req.headers['idempotency-key'] as string | undefined, body, at: Date.now() });
    // A receiver that honours the key, as the webhook contract asks: a repeated key changes nothing.
    if (!this.applied.has(body.idempotencyKey)) this.applied.set(body.idempotencyKey, body.replicas);
    if (this.calls.length === 1) return; // applied but never answered: the worker is killed while waiting here
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ replicas: body.replicas }));
  }
}

describe('a worker killed during apply', () => {
  const run = `crash${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'smartscale-crash-'));
  const receiver = new ScaleReceiver();
  let env: NodeJS.ProcessEnv;
  let controlUrl: string;
  let worker: ChildProcess | null = null;
  let temporal: Client;

  const startWorker = async (label: string): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['dist/workflows/src/main.js'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(join(dir, `worker-${label}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    await eventually(
      `worker ${label} ready (log in ${dir})`,
      async () => {
        if (child.exitCode !== null) throw new Error(`worker ${label} exited with ${child.exitCode}; see ${dir}`);
        const res = await fetch(`${controlUrl}/health`).catch(() => null);
        return res?.ok;
      },
      90_000,
      500,
    );
    return child;
  };

  beforeAll(async () => {
    const url = await receiver.listen();
    const port = await freePort();
    controlUrl = `http://127.0.0.1:${port}`;
    const targetsFile = join(dir, 'targets.json');
    // At zero with activation out of reach (the fresh group's lag is the whole topic), nothing is
    // decided: the override below is the only scale change.
    const policy = {
      minReplicas: 0,
      maxReplicas: 5,
      tickIntervalMs: 1_000,
      forecastHorizonWindows: 0,
      scaleUpCooldownMs: 0,
      scaleDownCooldownMs: 0,
      activationLag: 2_000_000_000,
    };
    writeFileSync(targetsFile, JSON.stringify([{ id: run, service: run, scaler: { kind: 'webhook', url }, policy }]));
    env = {
      ...process.env,
      SMARTSCALE_TASK_QUEUE: `smartscale-controller-${run}`,
      SMARTSCALE_AGGREGATOR_GROUP: `smartscale-aggregator-${run}`,
      SMARTSCALE_TARGETS_FILE: targetsFile,
      SMARTSCALE_CONTROL_PORT: String(port),
      SMARTSCALE_HISTORY_URL: `pglite:${join(dir, 'history')}`,
      SMARTSCALE_LOCAL_SCALER_STATE_DIR: dir,
    };
    temporal = new Client({ connection: await Connection.connect({ address: loadWorkerConfig(env).temporal.address }) });
    worker = await startWorker('first');
  });

  afterAll(async () => {
    await temporal?.workflow
      .getHandle(workflowIdFor(run))
      .terminate('e2e done')
      .catch(() => undefined);
    await temporal?.connection.close();
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await receiver.close();
  });

  it('applies the scale change exactly once after the worker restarts', async () => {
    const override = await fetch(`${controlUrl}/v1/targets/${run}/override`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replicas: 3, ttlMs: 600_000, reason: 'crash test' }),
    });
    expect(override.status).toBe(202);

    await eventually('the apply call reaching the target', () => receiver.calls.length >= 1, 60_000, 50);
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker!.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();

    worker = await startWorker('second');
    const handle = temporal.workflow.getHandle(workflowIdFor(run));
    const status = await eventually(
      'the workflow past the retried apply',
      async () => {
        const s = await handle.query(statusQuery);
        return s.currentReplicas === 3 && s.lastDecision?.applied && s;
      },
      120_000,
      500,
    );
    // A few more ticks: the override holds, so nothing else may reach the target.
    const seqAfterApply = (status as ControllerStatus).seq;
    await eventually('three more ticks', async () => (await handle.query(statusQuery)).seq >= seqAfterApply + 3, 30_000, 250);

    // <workflow id>/<first run id>/<seq>: no continue-as-new happens here, so the first run is the current one.
    const { runId } = await handle.describe();
    const key = receiver.calls[0].body.idempotencyKey;
    expect(receiver.calls.length).toBeGreaterThanOrEqual(2);
    expect(receiver.calls.every((c) => c.key === key && c.body.idempotencyKey === key && c.body.replicas === 3)).toBe(true);
    expect(receiver.calls[1].at).toBeGreaterThan(killedAt);
    expect([...receiver.applied.entries()]).toEqual([[key, 3]]);

    // The history shows one apply, scheduled once and completed on a later attempt by the new worker.
    const events = (await handle.fetchHistory()).events ?? [];
    const applies = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'apply');
    expect(applies).toHaveLength(1);
    const started = events.filter(
      (e) =>
        e.activityTaskStartedEventAttributes &&
        Number(e.activityTaskStartedEventAttributes.scheduledEventId) === Number(applies[0].eventId),
    );
    expect(started.map((e) => e.activityTaskStartedEventAttributes!.attempt)).toEqual([expect.any(Number)]);
    expect(started[0].activityTaskStartedEventAttributes!.attempt).toBeGreaterThanOrEqual(2);

    const decisions = await handle.query(decisionsQuery);
    const applied = decisions.filter((d) => d.applied);
    expect(applied.map((d) => [d.from, d.to])).toEqual([[0, 3]]);
    expect(`${workflowIdFor(run)}/${runId}/${applied[0].seq}`).toBe(key);

    // The SQL history (PGlite, reopened after the kill) recorded that decision once.
    const stored = (await (await fetch(`${controlUrl}/v1/targets/${run}/history`)).json()) as Decision[];
    expect(stored.filter((d) => d.applied).map((d) => d.seq)).toEqual([applied[0].seq]);
  });
});
