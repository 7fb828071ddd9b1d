import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject, KubernetesObjectApi, V1ResourceAttributes } from '@kubernetes/client-node' with {
  'resolution-mode': 'import',
};
import { REPO_ROOT } from '@smartscale/testing';
import { opsToolsPaths } from '../../tools/infra';
import { ApiServer, createNamespace, requestToken, START_TIMEOUT_MS, startApiServer } from './api-server';

jest.setTimeout(60_000);

// The chart as a user installs it, into a real kube-apiserver: every rendered object accepted by a
// server-side dry run, then created; and the worker's RBAC shown least-privilege by the server's own
// answers (SubjectAccessReview per verb and resource, SelfSubjectRulesReview for the whole list).
const CHART = join(REPO_ROOT, 'deploy/helm/smartscale');
const HELM = opsToolsPaths.helm;
const RELEASE = 'smartscale';
// KEDA's own CRDs (copied from kedacore/keda), so that the ScaledObject is validated against KEDA's schema.
const KEDA_CRDS = ['keda.sh_scaledobjects.yaml', 'keda.sh_triggerauthentications.yaml'].map((f) => join(__dirname, 'fixtures', f));

describe('the Helm chart on a real API server', () => {
  let api: ApiServer;
  let objects: KubernetesObjectApi;
  let ns: string;
  let workloads: string;
  let rendered: KubernetesObject[];
  const serviceAccount = `${RELEASE}-worker`;

  beforeAll(async () => {
    if (!existsSync(HELM))
      throw new Error(`no helm at ${HELM}: run \`node dist/tools/infra/main.js ops-tools\` after \`npm run build\` (npm test does)`);
    api = await startApiServer('helm');
    objects = api.k8s.KubernetesObjectApi.makeApiClient(api.admin);
    ns = await createNamespace(api, 'chart');
    workloads = await createNamespace(api, 'chart-workloads');
    // client-node's own YAML loader: the object API serializes by model, and a plain parse would lose the
    // keys whose JSON name differs from the model's (x-kubernetes-int-or-string), which the server then refuses.
    for (const crd of KEDA_CRDS) await objects.create(api.k8s.loadYaml<KubernetesObject>(readFileSync(crd, 'utf8')));
    const ext = api.admin.makeApiClient(api.k8s.ApiextensionsV1Api);
    for (const name of ['scaledobjects.keda.sh', 'triggerauthentications.keda.sh']) {
      for (
        let i = 0;
        !(await ext.readCustomResourceDefinition({ name })).status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        );
        i++
      ) {
        if (i > 100) throw new Error(`CRD ${name} not established`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const values = join(api.dir, 'values.json');
    writeFileSync(
      values,
      JSON.stringify({
        kafka: { brokers: 'kafka-0.kafka:9092' },
        temporal: { address: 'temporal-frontend.temporal:7233' },
        secrets: {
          controlToken: 'control-token-0123456789',
          apiKeys: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08:checkout',
        },
        worker: {
          targets: [
            {
              id: 'aggregator',
              service: 'checkout',
              scaler: { kind: 'kubernetes', namespace: workloads, resource: 'deployment', name: 'aggregator' },
              policy: { minReplicas: 1, maxReplicas: 6, capacityPerReplica: 40 },
            },
            {
              id: 'checkout',
              service: 'checkout',
              scaler: { kind: 'keda' },
              policy: { minReplicas: 0, maxReplicas: 20, capacityPerReplica: 40 },
            },
          ],
        },
        rbac: { namespaces: [ns, workloads] },
        keda: {
          enabled: true,
          tls: { secretName: 'smartscale-keda-tls' },
          scaledObjects: [
            { name: 'checkout', targetId: 'checkout', scaleTargetRef: { name: 'checkout' }, minReplicaCount: 0, maxReplicaCount: 20 },
          ],
        },
      }),
    );
    const yaml = execFileSync(HELM, ['template', RELEASE, CHART, '--namespace', ns, '--values', values], { encoding: 'utf8' });
    rendered = (api.k8s.loadAllYaml(yaml) as (KubernetesObject | null)[]).filter((o): o is KubernetesObject => o !== null);
    for (const o of rendered) o.metadata = { ...o.metadata, namespace: o.metadata?.namespace ?? ns };
  }, START_TIMEOUT_MS);
  afterAll(() => api?.stop());

  it('renders objects of every kind the chart has, each accepted by a server-side dry run, then created', async () => {
    const kinds = [...new Set(rendered.map((o) => o.kind))].sort();
    expect(kinds).toEqual(
      expect.arrayContaining([
        'ConfigMap',
        'Deployment',
        'Role',
        'RoleBinding',
        'ScaledObject',
        'Secret',
        'Service',
        'ServiceAccount',
        'TriggerAuthentication',
      ]),
    );
    for (const o of rendered) await objects.create(o, undefined, 'All');
    // Nothing was stored by the dry run.
    const core = api.admin.makeApiClient(api.k8s.CoreV1Api);
    expect((await core.listNamespacedService({ namespace: ns })).items).toEqual([]);
    for (const o of rendered) await objects.create(o);
    for (const o of rendered) {
      const stored = await objects.read({
        apiVersion: o.apiVersion!,
        kind: o.kind!,
        metadata: { name: o.metadata!.name!, namespace: o.metadata!.namespace! },
      });
      expect(stored.metadata?.uid).toEqual(expect.any(String));
    }
  });

  it("is refused by the server when a ScaledObject breaks KEDA's schema (so the acceptance above means something)", async () => {
    const scaled = rendered.find((o) => o.kind === 'ScaledObject')!;
    const broken = { ...scaled, metadata: { name: 'broken', namespace: ns }, spec: { triggers: [] } } as KubernetesObject;
    await expect(objects.create(broken, undefined, 'All')).rejects.toMatchObject({ code: 422 });
  });

  // The worker's ServiceAccount, as the API server's authorizer sees it.
  const user = () => `system:serviceaccount:${ns}:${serviceAccount}`;
  async function allowed(attrs: V1ResourceAttributes): Promise<boolean> {
    const authz = api.admin.makeApiClient(api.k8s.AuthorizationV1Api);
    const review = await authz.createSubjectAccessReview({
      body: {
        spec: {
          user: user(),
          groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
          resourceAttributes: attrs,
        },
      },
    });
    return review.status!.allowed;
  }

  it.each([
    ['get', 'deployments', 'scale'],
    ['patch', 'deployments', 'scale'],
    ['get', 'statefulsets', 'scale'],
    ['patch', 'statefulsets', 'scale'],
  ])('allows the worker to %s %s/%s in each target namespace', async (verb, resource, subresource) => {
    for (const namespace of [ns, workloads])
      await expect(allowed({ verb, group: 'apps', resource, subresource, namespace })).resolves.toBe(true);
  });

  it.each([
    ['update', 'apps', 'deployments', 'scale', 'the scale by PUT'],
    ['list', 'apps', 'deployments', 'scale', 'listing scales'],
    ['get', 'apps', 'deployments', '', 'the Deployment itself'],
    ['patch', 'apps', 'deployments', '', 'the Deployment itself'],
    ['delete', 'apps', 'deployments', '', 'deleting a Deployment'],
    ['patch', 'apps', 'replicasets', 'scale', 'a ReplicaSet'],
    ['get', '', 'pods', '', 'pods'],
    ['get', '', 'secrets', '', 'secrets'],
    ['list', '', 'configmaps', '', 'configmaps'],
    ['create', '', 'serviceaccounts', 'token', 'minting tokens'],
    ['patch', 'autoscaling', 'horizontalpodautoscalers', '', 'HPAs'],
    ['patch', 'keda.sh', 'scaledobjects', '', 'ScaledObjects'],
  ])('denies %s on %s/%s/%s (%s)', async (verb, group, resource, subresource) => {
    await expect(allowed({ verb, group, resource, subresource, namespace: ns })).resolves.toBe(false);
  });

  it('denies the scale in a namespace the chart was not given', async () => {
    await expect(
      allowed({ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'default' }),
    ).resolves.toBe(false);
  });

  it('lists, as the worker itself with a TokenRequest token, exactly the scale rule and the rules every user has', async () => {
    const token = await requestToken(api, ns, serviceAccount);
    const cluster = api.admin.getCurrentCluster()!;
    const asWorker = new api.k8s.KubeConfig();
    asWorker.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'worker', token }],
      contexts: [{ name: 'worker', cluster: cluster.name, user: 'worker' }],
      currentContext: 'worker',
    });
    const authz = asWorker.makeApiClient(api.k8s.AuthorizationV1Api);
    const rules = (await authz.createSelfSubjectRulesReview({ body: { spec: { namespace: ns } } })).status!.resourceRules;
    // system:basic-user and system:discovery give every authenticated user the self-reviews; nothing else is there.
    const everyone = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews']);
    const own = rules.filter((r) => !(r.resources ?? []).every((res) => everyone.has(res)));
    expect(own.map((r) => ({ apiGroups: r.apiGroups, resources: [...(r.resources ?? [])].sort(), verbs: [...r.verbs].sort() }))).toEqual([
      { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale'], verbs: ['get', 'patch'] },
    ]);
    const ssar = await authz.createSelfSubjectAccessReview({
      body: {
        spec: { resourceAttributes: { verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: ns } },
      },
    });
    expect(ssar.status?.allowed).toBe(true);
    const denied = await authz.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: 'patch', group: 'apps', resource: 'deployments', namespace: ns } } },
    });
    expect(denied.status?.allowed).toBe(false);
  });
});
