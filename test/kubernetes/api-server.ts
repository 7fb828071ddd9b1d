import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig, V1PolicyRule } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { startKubeApiserver } from '../../tools/infra';

/**
 * A real kube-apiserver (and etcd) for one test file, started by tools/infra (kube-apiserver.ts): its own
 * CA, certificates, service-account key and ports, stopped in afterAll (and by `npm stop` if the test
 * process died first). Built once by `npm test` before Jest runs; a test run without it builds it here.
 */

export type ClientNode = typeof import('@kubernetes/client-node', { with: { 'resolution-mode': 'import' } });
export const loadClientNode = (): Promise<ClientNode> => import('@kubernetes/client-node');

/** Up to a build (minutes, only without `npm test`'s prebuild) plus a start (seconds). */
export const START_TIMEOUT_MS = 20 * 60_000;

export interface ApiServer {
  server: string;
  caFile: string;
  dir: string;
  startMs: number;
  k8s: ClientNode;
  /** The cluster admin (a client certificate in group system:masters). */
  admin: KubeConfig;
  stop(): Promise<void>;
}

export async function startApiServer(name: string): Promise<ApiServer> {
  const k8s = await loadClientNode();
  const started = await startKubeApiserver(name);
  const admin = new k8s.KubeConfig();
  admin.loadFromFile(started.kubeconfig);
  return { ...started, k8s, admin };
}

/** A namespace per test file: without a controller-manager, deleted namespaces never finish terminating. */
export async function createNamespace(api: ApiServer, prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}`;
  await api.admin.makeApiClient(api.k8s.CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

const podTemplate = (app: string) => ({
  metadata: { labels: { app } },
  // Never pulled: there is no kubelet. The API server stores and validates the object all the same.
  spec: { containers: [{ name: 'app', image: 'registry.invalid/never-pulled:1' }] },
});

export async function createWorkload(
  api: ApiServer,
  namespace: string,
  resource: 'deployment' | 'statefulset',
  name: string,
  replicas: number,
): Promise<void> {
  const apps = api.admin.makeApiClient(api.k8s.AppsV1Api);
  const spec = { replicas, selector: { matchLabels: { app: name } }, template: podTemplate(name) };
  if (resource === 'deployment') await apps.createNamespacedDeployment({ namespace, body: { metadata: { name }, spec } });
  else await apps.createNamespacedStatefulSet({ namespace, body: { metadata: { name }, spec: { ...spec, serviceName: name } } });
}

/** A ServiceAccount bound to a Role with exactly these rules. */
export async function createServiceAccount(api: ApiServer, namespace: string, name: string, rules: V1PolicyRule[]): Promise<void> {
  const core = api.admin.makeApiClient(api.k8s.CoreV1Api);
  const rbac = api.admin.makeApiClient(api.k8s.RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
}

/** A token from the TokenRequest API, what a projected service-account volume holds in a pod. */
export async function requestToken(api: ApiServer, namespace: string, serviceAccount: string): Promise<string> {
  const core = api.admin.makeApiClient(api.k8s.CoreV1Api);
  const answer = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  }); // no audiences: the API server's own
  if (!answer.status?.token) throw new Error('TokenRequest returned no token');
  return answer.status.token;
}

/** A kubeconfig file as a user writes one for the service account: the server's CA, a bearer token, no skip-verify. */
export function writeTokenKubeconfig(dir: string, name: string, server: string, caFile: string, token: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.kubeconfig`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server, 'certificate-authority': caFile } }],
      users: [{ name, user: { token } }],
      contexts: [{ name, context: { cluster: 'test', user: name } }],
      'current-context': name,
    }),
    { mode: 0o600 },
  );
  return file;
}

/** The scale rules of the chart's Role: what the kubernetes scaler needs. */
export const SCALE_RULES: V1PolicyRule[] = [
  { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale'], verbs: ['get', 'patch'] },
];
