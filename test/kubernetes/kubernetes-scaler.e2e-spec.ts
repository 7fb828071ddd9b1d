import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorkerConfig } from '../../workflows/src/config/worker.config';
import { FIELD_MANAGER, KubernetesScaler, KubernetesScalerSpec } from '../../workflows/src/scalers/kubernetes.scaler';
import { ShadowScaler } from '../../workflows/src/scalers/shadow.scaler';
import { ScalerMisconfigured } from '../../workflows/src/scalers/scaler';
import {
  ApiServer,
  createNamespace,
  createServiceAccount,
  createWorkload,
  requestToken,
  SCALE_RULES,
  START_TIMEOUT_MS,
  startApiServer,
  writeTokenKubeconfig,
} from './api-server';

jest.setTimeout(60_000);

// The kubernetes and shadow scalers against a real kube-apiserver, as the worker's ServiceAccount: a
// token from the TokenRequest API, TLS verified against the server's CA. The stub's unit spec keeps only
// the faults a real server cannot be made to show.
describe('KubernetesScaler against a real API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'smartscale-kube-'));
  let api: ApiServer;
  let ns: string;
  let worker: { source: 'kubeconfig'; path: string };
  let token: string;

  beforeAll(async () => {
    api = await startApiServer('scaler');
    console.log(`kube-apiserver ready in ${api.startMs} ms at ${api.server}`);
    ns = await createNamespace(api, 'scaler');
    await createWorkload(api, ns, 'deployment', 'web', 2);
    await createWorkload(api, ns, 'statefulset', 'db', 3);
    await createWorkload(api, ns, 'deployment', 'idle', 0);
    await createServiceAccount(api, ns, 'smartscale-worker', SCALE_RULES);
    // A Role that may read the scale but not patch it: what a forgotten verb looks like.
    await createServiceAccount(api, ns, 'read-only', [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get'] }]);
    token = await requestToken(api, ns, 'smartscale-worker');
    worker = { source: 'kubeconfig', path: writeTokenKubeconfig(dir, 'worker', api.server, api.caFile, token) };
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const spec = (resource: KubernetesScalerSpec['resource'], name: string): KubernetesScalerSpec => ({
    kind: 'kubernetes',
    namespace: ns,
    resource,
    name,
  });
  const apps = () => api.admin.makeApiClient(api.k8s.AppsV1Api);

  it('merge-patches spec.replicas of a Deployment through the scale subresource, and owns the field', async () => {
    const scaler = await KubernetesScaler.connect('web', spec('deployment', 'web'), worker);
    await expect(scaler.current()).resolves.toBe(2);
    await expect(scaler.apply(4, 'scaler/web/1')).resolves.toBe(4);
    const stored = await apps().readNamespacedDeployment({ name: 'web', namespace: ns });
    expect(stored.spec?.replicas).toBe(4);
    // The server recorded who set the count: server-side field ownership of spec.replicas.
    const owners = (stored.metadata?.managedFields ?? [])
      .filter((f) => JSON.stringify(f.fieldsV1 ?? {}).includes('f:replicas'))
      .map((f) => f.manager);
    expect(owners).toContain(FIELD_MANAGER);
    // The same count again writes nothing: the resourceVersion stays.
    await scaler.apply(4, 'scaler/web/1');
    const again = await apps().readNamespacedDeployment({ name: 'web', namespace: ns });
    expect(again.metadata?.resourceVersion).toBe(stored.metadata?.resourceVersion);
  });

  it('merge-patches a StatefulSet through its own scale subresource and leaves the Deployment alone', async () => {
    const before = (await apps().readNamespacedDeployment({ name: 'web', namespace: ns })).spec?.replicas;
    const scaler = await KubernetesScaler.connect('db', spec('statefulset', 'db'), worker);
    await expect(scaler.current()).resolves.toBe(3);
    await expect(scaler.apply(1, 'scaler/db/1')).resolves.toBe(1);
    expect((await apps().readNamespacedStatefulSet({ name: 'db', namespace: ns })).spec?.replicas).toBe(1);
    expect((await apps().readNamespacedDeployment({ name: 'web', namespace: ns })).spec?.replicas).toBe(before);
  });

  it('reads a workload at zero, whose Scale omits spec.replicas, and wakes it', async () => {
    const scaler = await KubernetesScaler.connect('idle', spec('deployment', 'idle'), worker);
    await expect(scaler.current()).resolves.toBe(0);
    await expect(scaler.apply(1, 'scaler/idle/1')).resolves.toBe(1);
    expect((await apps().readNamespacedDeployment({ name: 'idle', namespace: ns })).spec?.replicas).toBe(1);
  });

  it('as a shadow scaler, reads the count someone else set and never patches it', async () => {
    const shadow = new ShadowScaler(await KubernetesScaler.connect('web', spec('deployment', 'web'), worker));
    // Another autoscaler (here the admin, as HPA would) scales the Deployment.
    const { PatchStrategy, setHeaderOptions } = api.k8s;
    await apps().patchNamespacedDeployment(
      { name: 'web', namespace: ns, body: { spec: { replicas: 7 } }, fieldManager: 'horizontal-pod-autoscaler' },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await expect(shadow.current()).resolves.toBe(7);
    const rv = (await apps().readNamespacedDeployment({ name: 'web', namespace: ns })).metadata?.resourceVersion;
    await expect(shadow.apply(3, 'scaler/web/2')).rejects.toBeInstanceOf(ScalerMisconfigured);
    const after = await apps().readNamespacedDeployment({ name: 'web', namespace: ns });
    expect([after.spec?.replicas, after.metadata?.resourceVersion]).toEqual([7, rv]);
  });

  it('names a missing workload (404) as misconfiguration', async () => {
    const err = await (await KubernetesScaler.connect('nope', spec('deployment', 'nope'), worker)).current().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScalerMisconfigured);
    expect((err as Error).message).toContain('HTTP 404 NotFound: deployments.apps "nope" not found');
  });

  it('names the missing permission (403) when the Role lacks patch, after reading fine', async () => {
    const readOnly = {
      source: 'kubeconfig' as const,
      path: writeTokenKubeconfig(dir, 'read-only', api.server, api.caFile, await requestToken(api, ns, 'read-only')),
    };
    const scaler = await KubernetesScaler.connect('web', spec('deployment', 'web'), readOnly);
    await expect(scaler.current()).resolves.toBe(7);
    const err = await scaler.apply(2, 'scaler/web/3').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScalerMisconfigured);
    expect((err as Error).message).toContain(
      `HTTP 403 Forbidden: deployments.apps "web" is forbidden: User "system:serviceaccount:${ns}:read-only" cannot patch resource "deployments/scale" in API group "apps" in the namespace "${ns}"`,
    );
    expect((err as Error).message).toContain('needs get and patch on deployments/scale');
  });

  it('refuses a server whose certificate the configured CA did not sign (no skip-verify), as retryable', async () => {
    const otherCa = join(dir, 'other-ca');
    mkdirSync(otherCa, { recursive: true });
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-subj',
        '/CN=not-the-cluster-ca',
        '-days',
        '1',
      ],
      { cwd: otherCa },
    );
    expect(r.status).toBe(0);
    const wrongCa = {
      source: 'kubeconfig' as const,
      path: writeTokenKubeconfig(dir, 'wrong-ca', api.server, join(otherCa, 'ca.crt'), token),
    };
    const err = await (await KubernetesScaler.connect('web', spec('deployment', 'web'), wrongCa)).current().catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ScalerMisconfigured);
    expect((err as Error).message).toMatch(/self[- ]signed|unable to verify|certificate/i);
  });

  it('connects in-cluster from the token, CA and namespace files and KUBERNETES_SERVICE_HOST/PORT', async () => {
    const root = join(dir, 'pod-root');
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), token);
    copyFileSync(api.caFile, join(sa, 'ca.crt'));
    writeFileSync(join(sa, 'namespace'), ns);
    const url = new URL(api.server);
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    // client-node reads these two from the environment, as the kubelet sets them in every pod.
    Object.assign(process.env, { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port });
    try {
      const connection = loadWorkerConfig({ KUBERNETES_SERVICE_HOST: url.hostname, SMARTSCALE_KAFKA_BROKERS: '127.0.0.1:9092' }).kubernetes;
      expect(connection).toEqual({ source: 'in-cluster' });
      const scaler = await KubernetesScaler.connect('web', spec('deployment', 'web'), connection, { inClusterRoot: root });
      await expect(scaler.current()).resolves.toBe(7);
      await expect(scaler.apply(5, 'scaler/web/4')).resolves.toBe(5);
      expect((await apps().readNamespacedDeploymentScale({ name: 'web', namespace: ns })).spec?.replicas).toBe(5);
    } finally {
      for (const [key, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
