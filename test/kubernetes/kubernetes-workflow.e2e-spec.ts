import { decisionsQuery, workflowIdFor } from '@smartscale/contracts';
import { eventually } from '@smartscale/testing';
import { ApiServer, createNamespace, createServiceAccount, createWorkload, requestToken, SCALE_RULES, START_TIMEOUT_MS, startApiServer, writeTokenKubeconfig } from './api-server';
import { startWorkerStack, WorkerStack } from './worker-stack';

jest.setTimeout(90_000);

// The worker as deployed, authenticated as its ServiceAccount (a TokenRequest token, TLS against the
// server's CA), runs a controller against a real kube-apiserver: the applied scale-up is on the Deployment.
// The 404 and 403 answers are in kubernetes-scaler.e2e-spec.ts. As controller decisions (recorded holds
// observe-failed / scaler-refused carrying the server's message) they passed here too, but the worker's
// shutdown then left a Temporal call retrying on its closed connection, which fails the suite: see
// docs/kubernetes.md, "Limits".
describe('kubernetes targets on the real worker, Temporal and API server', () => {
  let api: ApiServer;
  let stack: WorkerStack;
  let ns: string;
  const policy = { minReplicas: 3, maxReplicas: 5, capacityPerReplica: 50, tickIntervalMs: 1_000, forecastHorizonWindows: 0, scaleUpCooldownMs: 0 };

  beforeAll(async () => {
    api = await startApiServer('workflow');
    ns = await createNamespace(api, 'wf');
    await createWorkload(api, ns, 'deployment', 'web', 1);
    await createServiceAccount(api, ns, 'smartscale-worker', SCALE_RULES);
    const token = await requestToken(api, ns, 'smartscale-worker');
    const kubeconfig = writeTokenKubeconfig(api.dir, 'worker', api.server, api.caFile, token);
    stack = await startWorkerStack((run) => [
      { id: `${run}-web`, service: `${run}-web`, scaler: { kind: 'kubernetes', namespace: ns, resource: 'deployment', name: 'web' }, policy },
    ], { SMARTSCALE_KUBECONFIG: kubeconfig });
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.close();
    await api?.stop();
  });

  it('applies a decision to the Deployment through the scale subresource and records it', async () => {
    const handle = stack.temporal.workflow.getHandle(workflowIdFor(`${stack.run}-web`));
    const applied = await eventually('an applied scale-up', async () => (await handle.query(decisionsQuery)).find((d) => d.applied && d.action === 'up'));
    expect([applied.from, applied.to]).toEqual([1, 3]);
    expect(applied.reasons.map((r) => r.code)).toContain('bounds');
    const apps = api.admin.makeApiClient(api.k8s.AppsV1Api);
    expect((await apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns })).spec?.replicas).toBe(3);
  });
});
