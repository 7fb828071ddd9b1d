import { decisionsQuery, workflowIdFor } from '@smartscale/contracts';
import { eventually } from '@smartscale/testing';
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
import { startWorkerStack, WorkerStack } from './worker-stack';

jest.setTimeout(90_000);

// The worker as deployed, authenticated as its ServiceAccount (a TokenRequest token, TLS against the
// server's CA), runs one controller per target against a real kube-apiserver: an applied scale-up is
// on the Deployment, and a missing workload (404) and a Role without patch (403) are recorded as holds
// whose reason carries the server's answer, while the controller keeps running (and backs off).
describe('kubernetes targets on the real worker, Temporal and API server', () => {
  let api: ApiServer;
  let stack: WorkerStack;
  let ns: string;
  let locked: string;
  const policy = {
    minReplicas: 3,
    maxReplicas: 5,
    capacityPerReplica: 50,
    tickIntervalMs: 1_000,
    forecastHorizonWindows: 0,
    scaleUpCooldownMs: 0,
  };

  beforeAll(async () => {
    api = await startApiServer('workflow');
    ns = await createNamespace(api, 'wf');
    locked = await createNamespace(api, 'wf-locked');
    await createWorkload(api, ns, 'deployment', 'web', 1);
    await createWorkload(api, locked, 'deployment', 'web', 1);
    await createServiceAccount(api, ns, 'smartscale-worker', SCALE_RULES);
    // In the second namespace the same ServiceAccount may read the scale but not patch it.
    const rbac = api.admin.makeApiClient(api.k8s.RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: locked,
      body: { metadata: { name: 'read-scale' }, rules: [{ apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get'] }] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: locked,
      body: {
        metadata: { name: 'read-scale' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-scale' },
        subjects: [{ kind: 'ServiceAccount', name: 'smartscale-worker', namespace: ns }],
      },
    });
    const token = await requestToken(api, ns, 'smartscale-worker');
    const kubeconfig = writeTokenKubeconfig(api.dir, 'worker', api.server, api.caFile, token);
    stack = await startWorkerStack(
      (run) => [
        {
          id: `${run}-web`,
          service: `${run}-web`,
          scaler: { kind: 'kubernetes', namespace: ns, resource: 'deployment', name: 'web' },
          policy,
        },
        {
          id: `${run}-missing`,
          service: `${run}-missing`,
          scaler: { kind: 'kubernetes', namespace: ns, resource: 'deployment', name: 'missing' },
          policy,
        },
        {
          id: `${run}-locked`,
          service: `${run}-locked`,
          scaler: { kind: 'kubernetes', namespace: locked, resource: 'deployment', name: 'web' },
          policy,
        },
      ],
      { SMARTSCALE_KUBECONFIG: kubeconfig },
    );
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.close();
    await api?.stop();
  });

  const decisions = (targetId: string) => stack.temporal.workflow.getHandle(workflowIdFor(targetId)).query(decisionsQuery);
  const recorded = (targetId: string, code: string) =>
    eventually(`a hold recorded as ${code}`, async () => (await decisions(targetId)).find((d) => d.reasons[0]?.code === code));

  it('applies a decision to the Deployment through the scale subresource and records it', async () => {
    const handle = stack.temporal.workflow.getHandle(workflowIdFor(`${stack.run}-web`));
    const applied = await eventually('an applied scale-up', async () =>
      (await handle.query(decisionsQuery)).find((d) => d.applied && d.action === 'up'),
    );
    expect([applied.from, applied.to]).toEqual([1, 3]);
    expect(applied.reasons.map((r) => r.code)).toContain('bounds');
    const apps = api.admin.makeApiClient(api.k8s.AppsV1Api);
    expect((await apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns })).spec?.replicas).toBe(3);
  });

  it('records a hold naming the 404 when the workload is missing, and keeps the controller running', async () => {
    const hold = await recorded(`${stack.run}-missing`, 'observe-failed');
    expect([hold.action, hold.applied]).toEqual(['hold', false]);
    expect(hold.reasons[0].message).toContain('HTTP 404 NotFound: deployments.apps "missing" not found');
    expect(hold.reasons[0].message).toContain("check the target's namespace, resource and name");
    const handle = stack.temporal.workflow.getHandle(workflowIdFor(`${stack.run}-missing`));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('seen'); // its backoff keeps it busy: stopped here, not in the worker's shutdown
  });

  it('records a hold naming the permission when the Role lacks patch (403), after reading fine', async () => {
    const hold = await recorded(`${stack.run}-locked`, 'scaler-refused');
    expect([hold.action, hold.from, hold.to, hold.applied]).toEqual(['hold', 1, 1, false]);
    expect(hold.reasons[0].message).toContain('wanted 1→3');
    expect(hold.reasons[0].message).toContain(
      `HTTP 403 Forbidden: deployments.apps "web" is forbidden: User "system:serviceaccount:${ns}:smartscale-worker" cannot patch resource "deployments/scale"`,
    );
    const apps = api.admin.makeApiClient(api.k8s.AppsV1Api);
    expect((await apps.readNamespacedDeploymentScale({ name: 'web', namespace: locked })).spec?.replicas).toBe(1);
    await stack.temporal.workflow.getHandle(workflowIdFor(`${stack.run}-locked`)).terminate('seen');
  });
});
