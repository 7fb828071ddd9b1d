import type { AppsV1Api, ConfigurationOptions, KubeConfig, ObservableMiddleware, V1Scale } from '@kubernetes/client-node' with {
  'resolution-mode': 'import',
};
import { Logger } from '@nestjs/common';
import type { ScalerSpec } from '@smartscale/contracts';
import type { KubernetesConnection } from '../config/worker.config';
import { Scaler, ScalerMisconfigured } from './scaler';

export type KubernetesScalerSpec = Extract<ScalerSpec, { kind: 'kubernetes' }>;

/**
 * client-node 1.x ships ES modules only. TypeScript refuses a static import of it from our CommonJS
 * files; this import() is what it suggests, and our swc build turns it into require(), which Node serves
 * for ES modules from 20.19 on (require(esm)). Jest cannot require ES modules on Node 20, so jest.config.js
 * lets @swc/jest transform the package. Loading on first use also keeps its 800 generated API classes out
 * of workers that scale nothing on Kubernetes.
 */
const loadClientNode = () => import('@kubernetes/client-node');
type ClientNode = Awaited<ReturnType<typeof loadClientNode>>;

/** Per request, below the observe activity's 10 s start-to-close: a hung API server fails one attempt, not the tick. */
export const REQUEST_TIMEOUT_MS = 5_000;
/** Recorded by the API server in the workload's managedFields as the owner of spec.replicas. */
export const FIELD_MANAGER = 'smartscale';

/**
 * Answers that the same request can never turn into a success: bad request, credentials, RBAC, no such
 * workload, patch type, invalid count. 409 (a concurrent write), 429 and 5xx can, so they stay retryable.
 */
const PERMANENT = new Set([400, 401, 403, 404, 405, 415, 422]);

export interface KubernetesScalerOptions {
  timeoutMs?: number;
  /**
   * A directory that stands for / when the in-cluster source reads the pod's service-account files
   * (var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}): tests lay them out there.
   */
  inClusterRoot?: string;
}

/**
 * Scales a Deployment or StatefulSet through its scale subresource, the same endpoint `kubectl scale` and
 * HPA use. The worker's service account needs only `get` and `patch` on `deployments/scale` and
 * `statefulsets/scale` in the target's namespace: nothing else of the workload is read or written.
 */
export class KubernetesScaler implements Scaler {
  private readonly logger: Logger;
  private readonly path: string;

  static async connect(
    targetId: string,
    spec: KubernetesScalerSpec,
    connection: KubernetesConnection,
    options: KubernetesScalerOptions = {},
  ): Promise<KubernetesScaler> {
    const k8s = await loadClientNode();
    const kc = new k8s.KubeConfig();
    try {
      loadKubeConfig(kc, connection, options.inClusterRoot ?? '');
      return new KubernetesScaler(k8s, kc.makeApiClient(k8s.AppsV1Api), targetId, spec, options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    } catch (err) {
      throw new ScalerMisconfigured(
        `cannot configure the Kubernetes client from ${describeConnection(connection)}: ${(err as Error).message}`,
      );
    }
  }

  private constructor(
    private readonly k8s: ClientNode,
    private readonly api: AppsV1Api,
    targetId: string,
    private readonly spec: KubernetesScalerSpec,
    private readonly timeoutMs: number,
  ) {
    this.logger = new Logger(`KubernetesScaler:${targetId}`);
    this.path = `${spec.resource}s/${spec.name}/scale in namespace ${spec.namespace}`;
  }

  /**
   * spec.replicas (the count last asked for), not status.replicas (the pods that exist now). The controller
   * decides from what was last set: while pods start or a rollout runs, status lags, and deciding from it
   * would apply the same step again on every tick. HPA does the same: its currentReplicas is
   * scale.spec.replicas (kubernetes pkg/controller/podautoscaler/horizontal.go); status only feeds its
   * pod selection.
   */
  async current(): Promise<number> {
    const request = { name: this.spec.name, namespace: this.spec.namespace };
    const scale = await this.call('get', () =>
      this.spec.resource === 'deployment'
        ? this.api.readNamespacedDeploymentScale(request, this.options())
        : this.api.readNamespacedStatefulSetScale(request, this.options()),
    );
    return replicasOf(scale);
  }

  /**
   * A JSON merge patch of `{spec: {replicas}}`: an absolute count, so a retried or repeated apply asks for
   * the same state, and the API server writes nothing when nothing changes (resourceVersion stays, no
   * rollout, no event). No resourceVersion is sent: the decision is the desired count whatever happened
   * since, so a concurrent write is overwritten rather than turned into a 409 loop. Not a JSON patch:
   * `replace /spec/replicas` fails on a workload at 0, whose Scale omits the field.
   *
   * The idempotency key cannot be recorded on the object: the scale subresource keeps only spec.replicas
   * of what is sent (metadata is rebuilt from the parent), and annotating the Deployment itself would need
   * `patch deployments`, far more than this scaler's RBAC. It is logged; the workflow history holds it.
   */
  async apply(replicas: number, idempotencyKey: string): Promise<number> {
    if (!Number.isInteger(replicas) || replicas < 0) throw new ScalerMisconfigured(`invalid replica count ${replicas}`);
    const request = { name: this.spec.name, namespace: this.spec.namespace, body: { spec: { replicas } }, fieldManager: FIELD_MANAGER };
    // client-node 1.x picks the first patch type of the OpenAPI list (JSON patch) unless told otherwise.
    const options = this.k8s.setHeaderOptions('Content-Type', this.k8s.PatchStrategy.MergePatch, this.options());
    const scale = await this.call('patch', () =>
      this.spec.resource === 'deployment'
        ? this.api.patchNamespacedDeploymentScale(request, options)
        : this.api.patchNamespacedStatefulSetScale(request, options),
    );
    const reached = replicasOf(scale);
    this.logger.log(`${this.path}: replicas ${reached} (${idempotencyKey})`);
    return reached;
  }

  /** Nothing to release: client-node opens a fresh agent per request. */
  async close(): Promise<void> {}

  /** Bounds each request: node-fetch, under client-node, has no timeout of its own. */
  private options(): ConfigurationOptions<ObservableMiddleware> {
    const { Observable } = this.k8s;
    const timeout: ObservableMiddleware = {
      pre: (request) => {
        request.setSignal(AbortSignal.timeout(this.timeoutMs));
        return new Observable(Promise.resolve(request));
      },
      post: (response) => new Observable(Promise.resolve(response)),
    };
    return { middleware: [timeout], middlewareMergeStrategy: 'append' };
  }

  private async call(verb: 'get' | 'patch', fn: () => Promise<V1Scale>): Promise<V1Scale> {
    try {
      return await fn();
    } catch (err) {
      throw this.classify(verb, err);
    }
  }

  private classify(verb: string, err: unknown): Error {
    if (err instanceof this.k8s.ApiException) {
      const code = err.code;
      const what = `${verb} ${this.path}: HTTP ${code} ${statusMessage(err.body)}`.trimEnd();
      if (code === 403)
        return new ScalerMisconfigured(`${what} (the worker's service account needs get and patch on ${this.spec.resource}s/scale)`);
      if (code === 404) return new ScalerMisconfigured(`${what} (check the target's namespace, resource and name)`);
      if (PERMANENT.has(code)) return new ScalerMisconfigured(what);
      return new Error(what, { cause: err });
    }
    const e = err as Error;
    const reason = e?.name === 'AbortError' ? `no answer within ${this.timeoutMs} ms` : e?.message;
    return new Error(`${verb} ${this.path}: ${reason}`, { cause: err });
  }
}

/** The Scale omits spec.replicas when it is 0 (`omitempty` in autoscaling/v1). */
function replicasOf(scale: V1Scale): number {
  return scale.spec?.replicas ?? 0;
}

/**
 * In-cluster: KUBERNETES_SERVICE_HOST/PORT from the environment the kubelet sets, the token file (read
 * again as the kubelet rotates it) and the CA that verifies the server; never skip-verify.
 */
function loadKubeConfig(kc: KubeConfig, connection: KubernetesConnection, inClusterRoot: string): void {
  if (connection.source === 'kubeconfig') kc.loadFromFile(connection.path);
  else if (connection.source === 'in-cluster') kc.loadFromCluster(inClusterRoot);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error('no current context with a cluster');
}

function describeConnection(connection: KubernetesConnection): string {
  if (connection.source === 'kubeconfig') return `kubeconfig ${connection.path}`;
  return connection.source === 'in-cluster' ? 'the in-cluster service account' : 'the default kubeconfig';
}

/** The API server answers errors with a `Status` object; its reason and message say what went wrong. */
function statusMessage(body: unknown): string {
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { reason?: unknown; message?: unknown } | undefined;
    if (status && typeof status.message === 'string')
      return `${typeof status.reason === 'string' ? `${status.reason}: ` : ''}${status.message}`;
  } catch {
    // not JSON: a proxy or load balancer answered; the code alone is all there is
  }
  return '';
}
