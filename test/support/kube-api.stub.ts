import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * For unit specs only (test/ is never compiled into dist): what the real API server cannot be made to do
 * on demand (a 409, 429 or 5xx on the next request, an unreachable or silent server) and fast checks of
 * the exact request on the wire. Everything the real server can show is tested against it instead, in
 * test/kubernetes/ (tools/infra's kube-apiserver.ts starts one).
 *
 * A stand-in for the Kubernetes API server that answers only the scale subresource of Deployments and
 * StatefulSets, the way kube-apiserver does, over real HTTP on 127.0.0.1 (an ephemeral port). Tests point a
 * kubeconfig at it and drive the real `@kubernetes/client-node`, so the request the client puts on the wire
 * (path, Content-Type, body, bearer token) is what is checked, not a mock of it.
 *
 * What it copies, and from where (kubernetes/kubernetes):
 * - The `autoscaling/v1` Scale: `scaleFromDeployment` in pkg/registry/apps/deployment/storage/storage.go
 *   (and its StatefulSet twin) fills metadata with name, namespace, uid, resourceVersion and
 *   creationTimestamp only, spec.replicas from the parent's spec, status.replicas and status.selector
 *   from its status. staging/src/k8s.io/api/autoscaling/v1/types.go: `spec.replicas` is `omitempty`
 *   (0 is sent as `spec: {}`), `status.replicas` is always sent.
 * - PATCH: handlers/patch.go (`PatchResource`) reads Content-Type without its parameters and answers 415
 *   `UnsupportedMediaType` with "the body of the request was in an unknown format - accepted media types
 *   include: …" (handlers/negotiation/errors.go) before reading the body. A JSON patch op that cannot be
 *   applied is 422; a body that is not a patch is 400.
 * - Only spec.replicas and metadata.resourceVersion travel from a patched Scale to its parent
 *   (`scaleUpdatedObjectInfo.UpdatedObject`): other fields, annotations included, are dropped. A stale
 *   resourceVersion is a 409 Conflict; a negative replica count is 422 Invalid (`ValidateScale`).
 * - A patch that changes nothing writes nothing: storage skips the write when the encoded object is
 *   unchanged, so resourceVersion stays the same (storage/etcd3 `GuaranteedUpdate`).
 * - Errors are `Status` objects (apimachinery/pkg/api/errors): NotFound `deployments.apps "web" not found`
 *   with details {name, group, kind: resource}; Forbidden from RBAC `deployments.apps "web" is forbidden:
 *   User "…" cannot patch resource "deployments/scale" in API group "apps" in the namespace "…"`
 *   (handlers/responsewriters/errors.go `forbiddenMessage`); Unauthorized `{message: "Unauthorized"}`.
 *
 * Not copied: server-side apply (`application/apply-patch+yaml`, accepted by the real server, 415 here),
 * PUT (replace), watch, `$patch` directives of strategic merge (a Scale has no lists, so strategic merge
 * is a JSON merge patch for it), admission, field managers.
 */

export type WorkloadKind = 'deployment' | 'statefulset';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | null;
  authorization: string | null;
  body: string;
}

export interface KubeApiStubOptions {
  /** When set, every request must carry `Authorization: Bearer <token>` or gets 401. */
  token?: string;
  /** Names whose scale RBAC refuses (403) for the user below, as a Role without `deployments/scale` would. */
  forbidden?: string[];
  /** The user named in 403 messages. */
  user?: string;
}

interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  uid: string;
  creationTimestamp: string;
  resourceVersion: number;
  specReplicas: number;
  statusReplicas: number;
  selector: string;
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const SCALE_PATH = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets)\/([^/]+)\/scale$/;
const RESOURCE: Record<WorkloadKind, string> = { deployment: 'deployments', statefulset: 'statefulsets' };
const KIND: Record<string, WorkloadKind> = { deployments: 'deployment', statefulsets: 'statefulset' };
/** Status reasons for injected faults (metav1.StatusReason*). */
const FAULT_REASONS: Record<number, string> = {
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

class ApiError extends Error {
  constructor(readonly status: JsonObject) {
    super(String(status.message));
  }
}

export class KubeApiStub {
  readonly requests: RecordedRequest[] = [];
  private readonly workloads = new Map<string, Workload>();
  private readonly forbidden: Set<string>;
  private readonly user: string;
  private faults: { code: number; times: number } | null = null;
  private nextVersion = 4_000;
  private server: Server | null = null;

  constructor(private readonly options: KubeApiStubOptions = {}) {
    this.forbidden = new Set(options.forbidden ?? []);
    this.user = options.user ?? 'system:serviceaccount:smartscale:smartscale-worker';
  }

  /** Adds a workload whose controller has caught up (status.replicas = spec.replicas) unless told otherwise. */
  add(kind: WorkloadKind, namespace: string, name: string, replicas: number, statusReplicas = replicas): void {
    this.workloads.set(key(kind, namespace, name), {
      kind,
      namespace,
      name,
      uid: randomUUID(),
      creationTimestamp: '2026-01-01T00:00:00Z',
      resourceVersion: this.nextVersion++,
      specReplicas: replicas,
      statusReplicas,
      selector: `app=${name}`,
    });
  }

  /** The stored object as the API server holds it, for assertions. */
  stored(
    kind: WorkloadKind,
    namespace: string,
    name: string,
  ): { replicas: number; statusReplicas: number; resourceVersion: string } | undefined {
    const w = this.workloads.get(key(kind, namespace, name));
    return w && { replicas: w.specReplicas, statusReplicas: w.statusReplicas, resourceVersion: String(w.resourceVersion) };
  }

  /** The next `times` requests fail with this code, as an overloaded or failing API server answers. */
  failNext(code: number, times = 1): void {
    this.faults = { code, times };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://stub');
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers['content-type'] ?? null,
      authorization: req.headers.authorization ?? null,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    try {
      send(res, 200, this.route(recorded));
    } catch (err) {
      const failure =
        err instanceof ApiError ? err.status : status(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
      send(res, Number(failure.code), failure);
    }
  }

  private route(req: RecordedRequest): JsonObject {
    // Authentication comes before everything else in the real filter chain, authorization next.
    if (this.options.token !== undefined && req.authorization !== `Bearer ${this.options.token}`) {
      throw new ApiError(status(401, 'Unauthorized', 'Unauthorized'));
    }
    if (this.faults && this.faults.times > 0) {
      const { code } = this.faults;
      if (--this.faults.times === 0) this.faults = null;
      throw new ApiError(status(code, FAULT_REASONS[code] ?? 'InternalError', `injected by the stub: HTTP ${code}`));
    }
    const match = SCALE_PATH.exec(req.path);
    if (!match) throw new ApiError(status(404, 'NotFound', 'the server could not find the requested resource', {}));
    const [, namespace, resource, name] = match as unknown as [string, string, string, string];
    const verb = req.method === 'GET' ? 'get' : req.method === 'PATCH' ? 'patch' : null;
    if (!verb) throw new ApiError(status(405, 'MethodNotAllowed', `${req.method} is not supported by this stub on ${resource}/scale`));
    if (this.forbidden.has(name)) {
      const message = `User "${this.user}" cannot ${verb} resource "${resource}/scale" in API group "apps" in the namespace "${namespace}"`;
      throw new ApiError(
        status(403, 'Forbidden', `${resource}.apps "${name}" is forbidden: ${message}`, { name, group: 'apps', kind: resource }),
      );
    }
    if (verb === 'patch') this.checkPatchType(req.contentType);
    const workload = this.workloads.get(key(KIND[resource]!, namespace, name));
    if (!workload)
      throw new ApiError(status(404, 'NotFound', `${resource}.apps "${name}" not found`, { name, group: 'apps', kind: resource }));
    if (verb === 'patch') this.patch(workload, req);
    return toScale(workload);
  }

  private checkPatchType(contentType: string | null): void {
    const type = (contentType ?? '').split(';')[0]!.trim();
    if (!PATCH_TYPES.includes(type)) {
      throw new ApiError(
        status(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
        ),
      );
    }
  }

  private patch(workload: Workload, req: RecordedRequest): void {
    const type = req.contentType!.split(';')[0]!.trim();
    let patch: Json;
    try {
      patch = JSON.parse(req.body) as Json;
    } catch (err) {
      throw new ApiError(status(400, 'BadRequest', `error decoding patch: ${(err as Error).message}`));
    }
    const before = toScale(workload);
    const after = type === 'application/json-patch+json' ? applyJsonPatch(before, patch) : mergePatch(before, patch);
    const spec = (isObject(after) && isObject(after.spec) ? after.spec : {}) as JsonObject;
    const replicas = spec.replicas ?? 0;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      const message = `Scale.autoscaling "${workload.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`;
      throw new ApiError(status(422, 'Invalid', message, { name: workload.name, group: 'autoscaling', kind: 'Scale' }));
    }
    const version = isObject(after) && isObject(after.metadata) ? after.metadata.resourceVersion : undefined;
    if (version !== undefined && version !== String(workload.resourceVersion)) {
      const message = `Operation cannot be fulfilled on ${RESOURCE[workload.kind]}.apps "${workload.name}": the object has been modified; please apply your changes to the latest version and try again`;
      throw new ApiError(status(409, 'Conflict', message, { name: workload.name, group: 'apps', kind: RESOURCE[workload.kind] }));
    }
    if (replicas !== workload.specReplicas) {
      workload.specReplicas = replicas;
      workload.resourceVersion = this.nextVersion++;
    }
  }
}

function key(kind: WorkloadKind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function toScale(w: Workload): JsonObject {
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: w.name,
      namespace: w.namespace,
      uid: w.uid,
      resourceVersion: String(w.resourceVersion),
      creationTimestamp: w.creationTimestamp,
    },
    spec: w.specReplicas === 0 ? {} : { replicas: w.specReplicas },
    status: { replicas: w.statusReplicas, selector: w.selector },
  };
}

function status(code: number, reason: string, message: string, details?: JsonObject): JsonObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function send(res: ServerResponse, code: number, body: JsonObject): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Hand-written rather than a dependency: a test double that patches one small object needs RFC 7386 merge
// and the add/replace/remove/test ops of RFC 6902 on object members, nothing more.

/** RFC 7386: objects merge member by member, null deletes, anything else replaces. */
function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

/** RFC 6902 on object members; a failed op is 422 as in handlers/patch.go, a malformed patch 400. */
function applyJsonPatch(doc: JsonObject, patch: Json): Json {
  if (!Array.isArray(patch))
    throw new ApiError(status(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'));
  const root: JsonObject = structuredClone(doc);
  for (const op of patch) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      throw new ApiError(status(400, 'BadRequest', 'invalid JSON patch operation'));
    const parts = op.path
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    let parent: Json | undefined = root;
    for (const p of parts) parent = isObject(parent) ? parent[p] : undefined;
    if (!isObject(parent) || last === undefined)
      throw new ApiError(status(422, 'Invalid', `doc is missing path: "${op.path}": missing value`));
    if (op.op === 'add' || (op.op === 'replace' && last in parent)) parent[last] = op.value ?? null;
    else if (op.op === 'remove' && last in parent) delete parent[last];
    else if (op.op === 'test' && JSON.stringify(parent[last]) === JSON.stringify(op.value)) continue;
    else if (op.op === 'test') throw new ApiError(status(422, 'Invalid', `testing value ${op.path} failed: test failed`));
    else throw new ApiError(status(422, 'Invalid', `${op.op} operation does not apply: doc is missing path: "${op.path}": missing value`));
  }
  return root;
}
