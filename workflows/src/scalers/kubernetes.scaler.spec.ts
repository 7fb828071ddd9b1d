import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesConnection } from '../config/worker.config';
import { FIELD_MANAGER, KubernetesScaler, KubernetesScalerSpec } from './kubernetes.scaler';
import { ShadowScaler } from './shadow.scaler';
import { ScalerMisconfigured } from './scaler';
import { KubeApiStub } from '../../../test/support/kube-api.stub';

const TOKEN = 'stub-service-account-token';
const SCALE = '/apis/apps/v1/namespaces/shop/deployments/web/scale';

/**
 * The real client-node against a stub API server over HTTP, through a kubeconfig file as a user writes one:
 * the faults a real server cannot be made to show. The same paths against a real kube-apiserver:
 * test/kubernetes/kubernetes-scaler.e2e-spec.ts.
 */
describe(KubernetesScaler.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'smartscale-kube-'));
  let stub: KubeApiStub;
  let url: string;
  let kubeconfig: KubernetesConnection;

  // The first load compiles client-node's ES modules for Jest (a few seconds on a cold cache): not a test's time.
  beforeAll(() => import('@kubernetes/client-node'), 60_000);

  beforeEach(async () => {
    stub = new KubeApiStub({ token: TOKEN, forbidden: ['locked'] });
    url = await stub.start();
    kubeconfig = writeKubeconfig('stub', url, TOKEN);
    stub.add('deployment', 'shop', 'web', 2);
    stub.add('statefulset', 'shop', 'db', 3);
  });
  afterEach(() => stub.stop());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function writeKubeconfig(name: string, server: string, token: string): KubernetesConnection {
    const path = join(dir, `${name}.kubeconfig`);
    // Plain HTTP is refused by client-node unless TLS verification is off; a real cluster uses its CA.
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'worker', user: { token } }],
      contexts: [{ name, context: { cluster: name, user: 'worker' } }],
      'current-context': name,
    };
    writeFileSync(path, JSON.stringify(config));
    return { source: 'kubeconfig', path };
  }

  const target = (resource: KubernetesScalerSpec['resource'], name: string): KubernetesScalerSpec => ({
    kind: 'kubernetes',
    namespace: 'shop',
    resource,
    name,
  });
  const connect = (resource: KubernetesScalerSpec['resource'], name: string, connection = kubeconfig, timeoutMs?: number) =>
    KubernetesScaler.connect('demo', target(resource, name), connection, timeoutMs === undefined ? {} : { timeoutMs });

  it('reads the desired count from the scale subresource, not the pods that exist yet', async () => {
    stub.add('deployment', 'shop', 'rolling', 5, 2);
    await expect((await connect('deployment', 'rolling')).current()).resolves.toBe(5);
    const req = stub.requests.at(-1)!;
    expect([req.method, req.path]).toEqual(['GET', '/apis/apps/v1/namespaces/shop/deployments/rolling/scale']);
    expect(req.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('patches spec.replicas with a JSON merge patch and the API server stores it', async () => {
    await expect((await connect('deployment', 'web')).apply(4, 'scaler/demo/1')).resolves.toBe(4);
    const req = stub.requests.at(-1)!;
    expect([req.method, req.path]).toEqual(['PATCH', SCALE]);
    expect(req.contentType).toBe('application/merge-patch+json');
    expect(JSON.parse(req.body)).toEqual({ spec: { replicas: 4 } });
    expect(req.query.fieldManager).toBe(FIELD_MANAGER);
    expect(stub.stored('deployment', 'shop', 'web')!.replicas).toBe(4);
  });

  it('applies the same count twice without a second write', async () => {
    const scaler = await connect('deployment', 'web');
    await scaler.apply(6, 'scaler/demo/2');
    const first = stub.stored('deployment', 'shop', 'web')!;
    await expect(scaler.apply(6, 'scaler/demo/2')).resolves.toBe(6);
    expect(stub.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
    expect(stub.stored('deployment', 'shop', 'web')).toEqual(first);
    expect(first.replicas).toBe(6);
  });

  it('scales a StatefulSet through its own scale endpoint and leaves the Deployment alone', async () => {
    const scaler = await connect('statefulset', 'db');
    await expect(scaler.current()).resolves.toBe(3);
    await expect(scaler.apply(1, 'scaler/db/1')).resolves.toBe(1);
    expect(stub.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apis/apps/v1/namespaces/shop/statefulsets/db/scale',
      'PATCH /apis/apps/v1/namespaces/shop/statefulsets/db/scale',
    ]);
    expect(stub.stored('statefulset', 'shop', 'db')!.replicas).toBe(1);
    expect(stub.stored('deployment', 'shop', 'web')!.replicas).toBe(2);
  });

  it('reads a workload at zero, whose Scale omits spec.replicas, and wakes it', async () => {
    stub.add('deployment', 'shop', 'idle', 0);
    const scaler = await connect('deployment', 'idle');
    await expect(scaler.current()).resolves.toBe(0);
    await expect(scaler.apply(1, 'scaler/idle/1')).resolves.toBe(1);
    await expect(scaler.apply(0, 'scaler/idle/2')).resolves.toBe(0);
    expect(stub.stored('deployment', 'shop', 'idle')!.replicas).toBe(0);
  });

  it('treats a missing Deployment as misconfiguration, which is not retried', async () => {
    const err = await (await connect('deployment', 'nope')).apply(2, 'k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScalerMisconfigured);
    expect((err as Error).message).toContain('HTTP 404 NotFound: deployments.apps "nope" not found');
  });

  it('treats an RBAC refusal as misconfiguration and names the permission', async () => {
    const err = await (await connect('deployment', 'locked')).current().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScalerMisconfigured);
    expect((err as Error).message).toContain('cannot get resource "deployments/scale" in API group "apps" in the namespace "shop"');
    expect((err as Error).message).toContain('needs get and patch on deployments/scale');
  });

  it('treats rejected credentials as misconfiguration', async () => {
    const wrong = writeKubeconfig('wrong-token', url, 'another-token');
    await expect((await connect('deployment', 'web', wrong)).current()).rejects.toBeInstanceOf(ScalerMisconfigured);
    expect(stub.requests.at(-1)!.authorization).toBe('Bearer another-token');
  });

  it.each([409, 429, 500, 503])('keeps HTTP %i retryable, and the retry succeeds', async (code) => {
    const scaler = await connect('deployment', 'web');
    stub.failNext(code);
    const err = await scaler.apply(3, 'scaler/demo/3').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ScalerMisconfigured);
    expect((err as Error).message).toContain(`HTTP ${code}`);
    expect(stub.stored('deployment', 'shop', 'web')!.replicas).toBe(2);
    await expect(scaler.apply(3, 'scaler/demo/3')).resolves.toBe(3);
  });

  it('keeps an unreachable API server retryable', async () => {
    const scaler = await connect('deployment', 'web');
    await stub.stop();
    const err = await scaler.current().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ScalerMisconfigured);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('gives up on an API server that never answers, within the timeout, as retryable', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const hung = writeKubeconfig('silent', `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, TOKEN);
      const started = Date.now();
      const err = await (await connect('deployment', 'web', hung, 200)).current().catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(ScalerMisconfigured);
      expect((err as Error).message).toContain('no answer within 200 ms');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it('refuses a kubeconfig that does not exist as misconfiguration', async () => {
    await expect(connect('deployment', 'web', { source: 'kubeconfig', path: join(dir, 'missing.kubeconfig') })).rejects.toBeInstanceOf(
      ScalerMisconfigured,
    );
  });

  it('refuses a negative replica count before calling the API server', async () => {
    await expect((await connect('deployment', 'web')).apply(-1, 'k')).rejects.toBeInstanceOf(ScalerMisconfigured);
    expect(stub.requests).toHaveLength(0);
  });

  it('as a shadow scaler, reports the count another autoscaler sets and never patches it', async () => {
    const shadow = new ShadowScaler(await connect('deployment', 'web'));
    await expect(shadow.current()).resolves.toBe(2);
    stub.add('deployment', 'shop', 'web', 7); // the cluster's HPA scaled it
    await expect(shadow.current()).resolves.toBe(7);
    await expect(shadow.apply(3, 'scaler/demo/4')).rejects.toBeInstanceOf(ScalerMisconfigured);
    expect(stub.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
  });
});
