import { resolve } from 'node:path';
import { z } from 'zod';
import { CONSUMER_GROUPS, DEFAULT_TARGET_LIMITS, MAX_POLICY_REPLICAS, TargetLimits, TASK_QUEUE } from '@smartscale/contracts';
import {
  KafkaSecurity,
  kafkaEnv,
  kafkaSecurity,
  loadEnv,
  port,
  TemporalConnectionOptions,
  temporalConnection,
  temporalEnv,
} from '@smartscale/config';
import { isLoopbackHost } from '../control/loopback';
import { isCidr } from '../scalers/webhook-url';

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean),
);

/** The environment this app reads (docs/configuration.md is generated from it: npm run docs:config). */
export const WORKER_ENV_SHAPE = {
  ...kafkaEnv,
  ...temporalEnv,
  /** Separate queues keep separate deployments (or a test run) from picking up each other's workflows. */
  SMARTSCALE_TASK_QUEUE: z.string().default(TASK_QUEUE),
  /** The consumer group of the aggregator replicas the local scaler runs; its lag wakes a target at zero. */
  SMARTSCALE_AGGREGATOR_GROUP: z.string().default(CONSUMER_GROUPS.aggregator),
  SMARTSCALE_ROOT: z.string().default(process.cwd()),
  /** Any address other than a loopback one (127.0.0.0/8, ::1, localhost) needs SMARTSCALE_CONTROL_TOKEN. */
  SMARTSCALE_CONTROL_HOST: z.string().default('127.0.0.1'),
  SMARTSCALE_CONTROL_PORT: port(3003),
  /**
   * Bearer token for every /v1 call of the control API, reads included (the console asks for it once).
   * Unset is allowed on a loopback address only, for local development.
   */
  SMARTSCALE_CONTROL_TOKEN: z.string().min(16).optional(),
  /**
   * Host header values (`name:port`, or `name` for port 80/443, comma-separated) the control API answers
   * /v1 calls for, besides 127.0.0.1, localhost and [::1] at the port the request came in on (always
   * allowed); a browser led here by another name (DNS rebinding) gets 403. Behind a Service or an ingress,
   * list the names clients use.
   */
  SMARTSCALE_CONTROL_ALLOWED_HOSTS: list.optional(),
  /** Origin header values allowed on /v1 calls (CSRF); unset: http:// and https:// of each allowed host. */
  SMARTSCALE_CONTROL_ALLOWED_ORIGINS: list.optional(),
  /** Largest control API request body; a target with its policy is under 2 KiB. */
  SMARTSCALE_CONTROL_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(1_048_576).default(65_536),
  SMARTSCALE_PREDICTOR_URL: z.url().default('http://127.0.0.1:3002'),
  /** Signs webhook scaler calls (HMAC-SHA256 of "<unix time>.<body>", see docs/hostile/control.md); unset sends them unsigned. */
  SMARTSCALE_WEBHOOK_SECRET: z.string().min(16).optional(),
  /**
   * Loopback and private networks (CIDRs, comma-separated; `none` for none) that webhook scaler URLs may
   * reach. Link-local and cloud metadata addresses are refused whatever this says. Unset: the loopback
   * networks when the control API is on loopback (the local demo and tests call receivers on this
   * machine), none otherwise.
   */
  SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS: z
    .string()
    .transform((s) =>
      s.trim() === 'none'
        ? []
        : s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean),
    )
    .refine((cidrs) => cidrs.every(isCidr), 'CIDRs such as 10.0.0.0/8 or fd00::/8, comma-separated, or "none"')
    .optional(),
  SMARTSCALE_TARGETS_FILE: z.string().default('workflows/config/targets.demo.json'),
  SMARTSCALE_WORKFLOW_BUNDLE: z.string().optional(),
  SMARTSCALE_LOCAL_SCALER_ENTRY: z.string().default('dist/apps/aggregator/src/main.js'),
  SMARTSCALE_LOCAL_SCALER_STATE_DIR: z.string().default('.smartscale/run'),
  /** Most replicas one local target may run (each is a process here); checked with every target, a workflow's input included. */
  SMARTSCALE_LOCAL_SCALER_MAX_REPLICAS: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_POLICY_REPLICAS)
    .default(DEFAULT_TARGET_LIMITS.maxLocalReplicas),
  /** The shortest tick interval a target may ask for. */
  SMARTSCALE_MIN_TICK_INTERVAL_MS: z.coerce.number().int().min(100).default(DEFAULT_TARGET_LIMITS.minTickIntervalMs),
  /** Most targets the control API lets exist; POST /v1/targets past it is a 400. */
  SMARTSCALE_MAX_TARGETS: z.coerce.number().int().min(1).default(100),
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
  SMARTSCALE_HISTORY_URL: z
    .string()
    .regex(/^(pglite:.+|postgres(ql)?:\/\/.+)$/, 'must be pglite:<dir>, pglite:memory or postgres://…')
    .default('pglite:.smartscale/history'),
  SMARTSCALE_HISTORY_RETENTION_HOURS: z.coerce.number().positive().default(168),
};

/**
 * `kubeconfig`: that file. `in-cluster`: the pod's service account token and CA. `default`: the client's own
 * search (KUBECONFIG, then ~/.kube/config), for running the worker beside a cluster from a laptop.
 */
const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128'];

export type KubernetesConnection = { source: 'kubeconfig'; path: string } | { source: 'in-cluster' } | { source: 'default' };

export interface WorkerConfig {
  root: string;
  http: {
    host: string;
    port: number;
    token: string | null;
    /** Besides the loopback names at the port a request arrived on; null: none. */
    allowedHosts: string[] | null;
    /** null: derived from the allowed hosts. */
    allowedOrigins: string[] | null;
    bodyLimitBytes: number;
  };
  kafka: { brokers: string[]; clientId: string; aggregatorGroup: string; security: KafkaSecurity };
  temporal: { address: string; namespace: string; uiUrl: string; taskQueue: string; connection: TemporalConnectionOptions };
  predictorUrl: string;
  targetsFile: string;
  webhookSecret: string | null;
  /** Loopback and private CIDRs webhook URLs may reach (see SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS). */
  webhookAllowedNetworks: string[];
  /** A prebuilt workflow bundle; without one the worker bundles the workflow sources at boot. */
  workflowBundle: string | null;
  localScaler: { entry: string; stateDir: string };
  /** Caps checked with every target wherever it comes from (REST, targets file, workflow input); maxTargets by the control API. */
  limits: TargetLimits & { maxTargets: number };
  /** How the kubernetes scaler reaches the API server; loaded only when a kubernetes target first needs it. */
  kubernetes: KubernetesConnection;
  /** KEDA's external scaler (gRPC); tls holds file paths, read when the server starts. */
  keda: { enabled: boolean; host: string; port: number; tls: { cert: string; key: string; ca: string | null } | null };
  history: { url: string; retentionMs: number };
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = loadEnv(WORKER_ENV_SHAPE, env);
  const loopback = isLoopbackHost(e.SMARTSCALE_CONTROL_HOST);
  if (!loopback && !e.SMARTSCALE_CONTROL_TOKEN) {
    throw new Error(
      `invalid configuration:\n  SMARTSCALE_CONTROL_TOKEN: required when SMARTSCALE_CONTROL_HOST (${e.SMARTSCALE_CONTROL_HOST}) is not a loopback address: ` +
        'without it anyone who reaches the port could read every target and pause its controller. Set a random token of 16+ characters ' +
        '(e.g. `openssl rand -hex 24`), or keep SMARTSCALE_CONTROL_HOST=127.0.0.1.',
    );
  }
  const root = resolve(e.SMARTSCALE_ROOT);
  if (Boolean(e.SMARTSCALE_KEDA_TLS_CERT) !== Boolean(e.SMARTSCALE_KEDA_TLS_KEY))
    throw new Error('SMARTSCALE_KEDA_TLS_CERT and SMARTSCALE_KEDA_TLS_KEY: set both or neither');
  return {
    root,
    http: {
      host: e.SMARTSCALE_CONTROL_HOST,
      port: e.SMARTSCALE_CONTROL_PORT,
      token: e.SMARTSCALE_CONTROL_TOKEN ?? null,
      allowedHosts: e.SMARTSCALE_CONTROL_ALLOWED_HOSTS ?? null,
      allowedOrigins: e.SMARTSCALE_CONTROL_ALLOWED_ORIGINS ?? null,
      bodyLimitBytes: e.SMARTSCALE_CONTROL_BODY_LIMIT_BYTES,
    },
    kafka: {
      brokers: e.SMARTSCALE_KAFKA_BROKERS,
      clientId: `smartscale-worker-${process.pid}`,
      aggregatorGroup: e.SMARTSCALE_AGGREGATOR_GROUP,
      security: kafkaSecurity(e),
    },
    temporal: {
      address: e.SMARTSCALE_TEMPORAL_ADDRESS,
      namespace: e.SMARTSCALE_TEMPORAL_NAMESPACE,
      uiUrl: e.SMARTSCALE_TEMPORAL_UI_URL,
      taskQueue: e.SMARTSCALE_TASK_QUEUE,
      connection: temporalConnection(e),
    },
    predictorUrl: e.SMARTSCALE_PREDICTOR_URL,
    targetsFile: resolve(root, e.SMARTSCALE_TARGETS_FILE),
    webhookSecret: e.SMARTSCALE_WEBHOOK_SECRET ?? null,
    webhookAllowedNetworks: e.SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS ?? (loopback ? LOOPBACK_NETWORKS : []),
    workflowBundle: e.SMARTSCALE_WORKFLOW_BUNDLE ? resolve(root, e.SMARTSCALE_WORKFLOW_BUNDLE) : null,
    localScaler: { entry: resolve(root, e.SMARTSCALE_LOCAL_SCALER_ENTRY), stateDir: resolve(root, e.SMARTSCALE_LOCAL_SCALER_STATE_DIR) },
    limits: {
      maxLocalReplicas: e.SMARTSCALE_LOCAL_SCALER_MAX_REPLICAS,
      minTickIntervalMs: e.SMARTSCALE_MIN_TICK_INTERVAL_MS,
      maxTargets: e.SMARTSCALE_MAX_TARGETS,
    },
    kubernetes: e.SMARTSCALE_KUBECONFIG
      ? { source: 'kubeconfig', path: resolve(root, e.SMARTSCALE_KUBECONFIG) }
      : e.KUBERNETES_SERVICE_HOST
        ? { source: 'in-cluster' }
        : { source: 'default' },
    keda: {
      enabled: e.SMARTSCALE_KEDA_ENABLED,
      host: e.SMARTSCALE_CONTROL_HOST,
      port: e.SMARTSCALE_KEDA_PORT,
      tls:
        e.SMARTSCALE_KEDA_TLS_CERT && e.SMARTSCALE_KEDA_TLS_KEY
          ? {
              cert: resolve(root, e.SMARTSCALE_KEDA_TLS_CERT),
              key: resolve(root, e.SMARTSCALE_KEDA_TLS_KEY),
              ca: e.SMARTSCALE_KEDA_TLS_CA ? resolve(root, e.SMARTSCALE_KEDA_TLS_CA) : null,
            }
          : null,
    },
    history: { url: e.SMARTSCALE_HISTORY_URL, retentionMs: e.SMARTSCALE_HISTORY_RETENTION_HOURS * 3_600_000 },
  };
}
