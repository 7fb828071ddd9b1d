import { resolve } from 'node:path';
import { z } from 'zod';
import { CONSUMER_GROUPS, TASK_QUEUE } from '@smartscale/contracts';
import { kafkaEnv, loadEnv, port, temporalEnv } from '@smartscale/config';

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

const shape = {
  ...kafkaEnv,
  ...temporalEnv,
  /** Separate queues keep separate deployments (or a test run) from picking up each other's workflows. */
  SMARTSCALE_TASK_QUEUE: z.string().default(TASK_QUEUE),
  /** The consumer group of the aggregator replicas the local scaler runs; its lag wakes a target at zero. */
  SMARTSCALE_AGGREGATOR_GROUP: z.string().default(CONSUMER_GROUPS.aggregator),
  SMARTSCALE_ROOT: z.string().default(process.cwd()),
  SMARTSCALE_CONTROL_HOST: z.string().default('127.0.0.1'),
  SMARTSCALE_CONTROL_PORT: port(3003),
  /** Bearer token for the control API's mutations; unset leaves them open (local development only). */
  SMARTSCALE_CONTROL_TOKEN: z.string().min(16).optional(),
  SMARTSCALE_PREDICTOR_URL: z.url().default('http://127.0.0.1:3002'),
  /** Signs webhook scaler calls (HMAC-SHA256 of the body); unset sends them unsigned. */
  SMARTSCALE_WEBHOOK_SECRET: z.string().min(16).optional(),
  SMARTSCALE_TARGETS_FILE: z.string().default('workflows/config/targets.demo.json'),
  SMARTSCALE_WORKFLOW_BUNDLE: z.string().optional(),
  SMARTSCALE_LOCAL_SCALER_ENTRY: z.string().default('dist/apps/aggregator/src/main.js'),
  SMARTSCALE_LOCAL_SCALER_STATE_DIR: z.string().default('.smartscale/run'),
  /** A kubeconfig file for the kubernetes scaler; it wins over the in-cluster service account when both exist. */
  SMARTSCALE_KUBECONFIG: z.string().min(1).optional(),
  /** Set by the kubelet in every pod: only its presence is read, to choose the in-cluster service account. */
  KUBERNETES_SERVICE_HOST: z.string().optional(),
  /** Serve KEDA's external scaler gRPC contract (docs/kubernetes.md): off unless a ScaledObject points at this worker. */
  SMARTSCALE_KEDA_ENABLED: z.stringbool().default(false),
  /** The external scaler's gRPC port, on SMARTSCALE_CONTROL_HOST; 0 picks a free one (tests). */
  SMARTSCALE_KEDA_PORT: port(3004),
  /** PEM certificate and key for the gRPC port; both or neither (then plaintext, inside the cluster network only). */
  SMARTSCALE_KEDA_TLS_CERT: z.string().min(1).optional(),
  SMARTSCALE_KEDA_TLS_KEY: z.string().min(1).optional(),
  /** A CA bundle: when set, KEDA must present a client certificate it signed (mutual TLS). */
  SMARTSCALE_KEDA_TLS_CA: z.string().min(1).optional(),
  /** Decision and window history: `pglite:<dir>` (in-process Postgres), `pglite:memory`, or a `postgres://` URL. */
  SMARTSCALE_HISTORY_URL: z.string().regex(/^(pglite:.+|postgres(ql)?:\/\/.+)$/, 'must be pglite:<dir>, pglite:memory or postgres://…').default('pglite:.smartscale/history'),
  SMARTSCALE_HISTORY_RETENTION_HOURS: z.coerce.number().positive().default(168),
};

/**
 * `kubeconfig`: that file. `in-cluster`: the pod's service account token and CA. `default`: the client's own
 * search (KUBECONFIG, then ~/.kube/config), for running the worker beside a cluster from a laptop.
 */
export type KubernetesConnection = { source: 'kubeconfig'; path: string } | { source: 'in-cluster' } | { source: 'default' };

export interface WorkerConfig {
  root: string;
  http: { host: string; port: number; token: string | null };
  kafka: { brokers: string[]; clientId: string; aggregatorGroup: string };
  temporal: { address: string; namespace: string; uiUrl: string; taskQueue: string };
  predictorUrl: string;
  targetsFile: string;
  webhookSecret: string | null;
  /** A prebuilt workflow bundle; without one the worker bundles the workflow sources at boot. */
  workflowBundle: string | null;
  localScaler: { entry: string; stateDir: string };
  /** How the kubernetes scaler reaches the API server; loaded only when a kubernetes target first needs it. */
  kubernetes: KubernetesConnection;
  /** KEDA's external scaler (gRPC); tls holds file paths, read when the server starts. */
  keda: { enabled: boolean; host: string; port: number; tls: { cert: string; key: string; ca: string | null } | null };
  history: { url: string; retentionMs: number };
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = loadEnv(shape, env);
  const root = resolve(e.SMARTSCALE_ROOT);
  if (Boolean(e.SMARTSCALE_KEDA_TLS_CERT) !== Boolean(e.SMARTSCALE_KEDA_TLS_KEY)) throw new Error('SMARTSCALE_KEDA_TLS_CERT and SMARTSCALE_KEDA_TLS_KEY: set both or neither');
  return {
    root,
    http: { host: e.SMARTSCALE_CONTROL_HOST, port: e.SMARTSCALE_CONTROL_PORT, token: e.SMARTSCALE_CONTROL_TOKEN ?? null },
    kafka: { brokers: e.SMARTSCALE_KAFKA_BROKERS, clientId: `smartscale-worker-${process.pid}`, aggregatorGroup: e.SMARTSCALE_AGGREGATOR_GROUP },
    temporal: { address: e.SMARTSCALE_TEMPORAL_ADDRESS, namespace: e.SMARTSCALE_TEMPORAL_NAMESPACE, uiUrl: e.SMARTSCALE_TEMPORAL_UI_URL, taskQueue: e.SMARTSCALE_TASK_QUEUE },
    predictorUrl: e.SMARTSCALE_PREDICTOR_URL,
    targetsFile: resolve(root, e.SMARTSCALE_TARGETS_FILE),
    webhookSecret: e.SMARTSCALE_WEBHOOK_SECRET ?? null,
    workflowBundle: e.SMARTSCALE_WORKFLOW_BUNDLE ? resolve(root, e.SMARTSCALE_WORKFLOW_BUNDLE) : null,
    localScaler: { entry: resolve(root, e.SMARTSCALE_LOCAL_SCALER_ENTRY), stateDir: resolve(root, e.SMARTSCALE_LOCAL_SCALER_STATE_DIR) },
    kubernetes: e.SMARTSCALE_KUBECONFIG
      ? { source: 'kubeconfig', path: resolve(root, e.SMARTSCALE_KUBECONFIG) }
      : e.KUBERNETES_SERVICE_HOST
        ? { source: 'in-cluster' }
        : { source: 'default' },
    keda: {
      enabled: e.SMARTSCALE_KEDA_ENABLED,
      host: e.SMARTSCALE_CONTROL_HOST,
      port: e.SMARTSCALE_KEDA_PORT,
      tls: e.SMARTSCALE_KEDA_TLS_CERT && e.SMARTSCALE_KEDA_TLS_KEY
        ? { cert: resolve(root, e.SMARTSCALE_KEDA_TLS_CERT), key: resolve(root, e.SMARTSCALE_KEDA_TLS_KEY), ca: e.SMARTSCALE_KEDA_TLS_CA ? resolve(root, e.SMARTSCALE_KEDA_TLS_CA) : null }
        : null,
    },
    history: { url: e.SMARTSCALE_HISTORY_URL, retentionMs: e.SMARTSCALE_HISTORY_RETENTION_HOURS * 3_600_000 },
  };
}
