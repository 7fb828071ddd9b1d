import { workflowIdFor } from '@smartscale/contracts';
import { eventually } from '@smartscale/testing';
import { ControlWorker, endControllers, raw, receiver, startControlWorker } from './control-worker';

// Issue 18, "targets can point anywhere", against a real worker on the real Temporal server. Before this
// change POST /v1/targets answered 201 to every URL below, and the webhook scaler's fetch followed
// redirects and called whatever a name resolved to (see docs/hostile/control.md for the run on the old code).
jest.setTimeout(120_000);

const webhookTarget = (id: string, url: string) => ({
  id,
  service: id,
  scaler: { kind: 'webhook', url },
  policy: { tickIntervalMs: 1_000, maxReplicas: 4 },
});

/** The messages of every failed activity of a controller's runs: where a refused call shows. */
async function activityFailures(worker: ControlWorker, id: string): Promise<string> {
  const history = await worker.temporal.workflow.getHandle(workflowIdFor(id)).fetchHistory();
  return JSON.stringify(
    history.events
      ?.flatMap((e) => [e.activityTaskFailedEventAttributes?.failure?.message, e.markerRecordedEventAttributes?.failure?.message])
      .filter(Boolean) ?? [],
  );
}

describe('webhook targets on a worker with the default (loopback) configuration', () => {
  let worker: ControlWorker;
  const added: string[] = [];
  beforeAll(async () => {
    worker = await startControlWorker();
  });
  afterAll(async () => {
    await endControllers(worker, added);
    await worker.close();
  });

  it.each([
    [
      'the cloud metadata address',
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      /169\.254\.169\.254 is a link-local, metadata/,
    ],
    ['the metadata address in IPv6-mapped form', 'http://[::ffff:169.254.169.254]/', /link-local, metadata/],
    ['a metadata name', 'http://metadata.google.internal/computeMetadata/v1/', /cloud metadata service/],
    ['a file URL', 'file:///etc/passwd', /scheme "file" is not allowed: http or https only/],
    ['a gopher URL', 'gopher://127.0.0.1:6379/_FLUSHALL', /scheme "gopher" is not allowed/],
    [
      'a private address outside the allowed networks',
      'http://10.0.0.1/scale',
      /private address outside SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS/,
    ],
  ])('refuses %s with 400 and the reason, and starts no controller', async (_what, url, reason) => {
    const id = `${worker.run}-${added.length}`;
    const res = await raw(worker.port, 'POST', '/v1/targets', {}, webhookTarget(id, url));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(reason);
    expect((await raw(worker.port, 'GET', `/v1/targets/${id}`)).status).toBe(404);
  });

  it('does not follow a redirect from an allowed receiver: the address it points to is never called', async () => {
    const elsewhere = await receiver(() => ({ status: 200, body: '{"replicas":3}' }));
    const redirecting = await receiver(() => ({ status: 302, headers: { location: `${elsewhere.url}/stolen` } }));
    try {
      const id = `${worker.run}-redirect`;
      added.push(id);
      expect((await raw(worker.port, 'POST', '/v1/targets', {}, webhookTarget(id, `${redirecting.url}/scale`))).status).toBe(201);
      // An override makes the controller apply at once, whatever it observes.
      expect((await raw(worker.port, 'POST', `/v1/targets/${id}/override`, {}, { replicas: 3, ttlMs: 60_000 })).status).toBe(202);
      await eventually('the redirecting receiver is called', () => redirecting.hits.length > 0, 30_000);
      await eventually(
        'the refusal is recorded',
        async () => /answered a redirect \(HTTP 302 to .*\/stolen\), which is not followed/.test(await activityFailures(worker, id)),
        30_000,
      );
      expect(elsewhere.hits).toEqual([]);
    } finally {
      await redirecting.close();
      await elsewhere.close();
    }
  });
});

describe('webhook targets on a worker allowed no private networks (as deployed)', () => {
  let worker: ControlWorker;
  const added: string[] = [];
  beforeAll(async () => {
    worker = await startControlWorker({ SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS: 'none' });
  });
  afterAll(async () => {
    await endControllers(worker, added);
    await worker.close();
  });

  it('refuses a loopback address at creation', async () => {
    const res = await raw(worker.port, 'POST', '/v1/targets', {}, webhookTarget(`${worker.run}-lit`, 'http://127.0.0.1:3003/v1/targets'));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(
      /127\.0\.0\.1 is a loopback or private address outside SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS \(none\)/,
    );
  });

  it('never calls a name that resolves to a forbidden address (checked after DNS, on every call)', async () => {
    const local = await receiver(() => ({ status: 200, body: '{"replicas":3}' }));
    try {
      const id = `${worker.run}-name`;
      added.push(id);
      // A name is accepted at creation (what it resolves to can change); "localhost" resolves to 127.0.0.1.
      const url = local.url.replace('127.0.0.1', 'localhost');
      expect((await raw(worker.port, 'POST', '/v1/targets', {}, webhookTarget(id, `${url}/scale`))).status).toBe(201);
      expect((await raw(worker.port, 'POST', `/v1/targets/${id}/override`, {}, { replicas: 3, ttlMs: 60_000 })).status).toBe(202);
      await eventually(
        'the refusal is recorded',
        async () =>
          /webhook host localhost resolves to (127\.0\.0\.1|::1) is a loopback or private address/.test(await activityFailures(worker, id)),
        30_000,
      );
      expect(local.hits).toEqual([]);
    } finally {
      await local.close();
    }
  });
});
