/*
 * The public API of tools/infra: the local Kafka broker and Temporal dev server (install, up, stop,
 * status, config), and the binaries some tests need, built once into .smartscale/ (Helm and promtool,
 * kube-apiserver and etcd, the OpenTelemetry Collector). The CLI over it is main.ts.
 */
import { join } from 'node:path';
import { repoRoot } from './util';

export { httpOk, logger, repoRoot, secs, sleep, waitFor, waitForHttp } from './util';
export type { Log, WaitOptions } from './util';

/** Where clients connect: ports from SMARTSCALE_* variables (only tools/infra reads them). */
export interface InfraConfig {
  kafka: { host: string; port: number; controllerPort: number; brokers: string };
  temporal: { address: string; uiPort: number; uiUrl: string };
}

/** A service after `up`: reused (it answered already) or started by us (pid of its process group). */
export interface ServiceUp {
  reused: boolean;
  pid: number | null;
}

export interface UpResult {
  kafka: ServiceUp;
  temporal: ServiceUp & { uiReady: boolean };
  config: InfraConfig;
}

export interface ServiceStatus {
  pid: number | null;
  running: boolean;
  ready: boolean;
}

export interface StatusResult {
  installed: Record<string, string | null>;
  kafka: ServiceStatus;
  temporal: ServiceStatus & { uiReady: boolean };
  config: InfraConfig;
}

export interface InfraPaths {
  repo: string;
  root: string;
  kafka: string;
  kafkaM2: string;
  kafkaLibs: string;
  kafkaToolsLibs: string;
  kafkaServerProperties: string;
  kafkaLog4j: string;
  kafkaData: string;
  kafkaLogs: string;
  temporal: string;
  temporalBin: string;
  temporalDb: string;
  temporalTestServer: string;
  temporalTestServerBin: string;
  run: string;
  searchAttributes: string;
}

export interface OpsTools {
  helm: string;
  promtool: string;
}

export interface KubeApiserverPaths {
  dir: string;
  bin: string;
  apiserver: string;
  etcd: string;
  stamp: string;
  run: string;
}

/** One throw-away kube-apiserver (and its etcd), with its own CA, admin kubeconfig and ports. */
export interface KubeApiserver {
  dir: string;
  server: string;
  caFile: string;
  kubeconfig: string;
  startMs: number;
  stop(): Promise<void>;
}

export interface OtelcolPaths {
  dir: string;
  bin: string;
  otelcol: string;
  stamp: string;
}

// Until the TypeScript modules land, the CommonJS scripts do the work (loaded from the checkout).
/* eslint-disable @typescript-eslint/no-require-imports */
const legacy = (file: string): Record<string, unknown> => require(join(repoRoot(), 'tools', 'infra', file)) as Record<string, unknown>;
const infraJs = () => legacy('infra.js') as unknown as {
  install(): Promise<void>; up(): Promise<UpResult>; stop(): Promise<void>; status(): Promise<StatusResult>; config(): InfraConfig; paths: InfraPaths;
  kafkaReady(host: string, port: number): Promise<boolean>; temporalReady(address: string): Promise<boolean>; isAlive(pid: number): boolean;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Installs Kafka's jars and the Temporal binaries into .smartscale/ (cached; a pinned version bump reinstalls). */
export const install = (): Promise<void> => infraJs().install();
/** Starts Kafka and Temporal, or reuses the ones that already answer; installs first when needed. */
export const up = (): Promise<UpResult> => infraJs().up();
/** Stops only what this checkout started (pid files under .smartscale/run/), and its kube-apiservers. */
export const stop = (): Promise<void> => infraJs().stop();
/** Prints and returns installed versions and the state of each service. */
export const status = (): Promise<StatusResult> => infraJs().status();
export const config = (): InfraConfig => infraJs().config();
/** Everything under .smartscale/ that the broker and Temporal use. */
export const paths: InfraPaths = infraJs().paths;
/** True when a Kafka broker answers on host:port and lists at least one broker. */
export const kafkaReady = (host: string, port: number): Promise<boolean> => infraJs().kafkaReady(host, port);
/** True when the Temporal frontend at address reports SERVING. */
export const temporalReady = (address: string): Promise<boolean> => infraJs().temporalReady(address);
/** Alive and not a zombie (a zombie still answers kill(pid, 0)). */
export const isAlive = (pid: number): boolean => infraJs().isAlive(pid);

/** Helm and promtool in .smartscale/ops-tools/bin/ (built or linked once). */
export const ensureOpsTools = (): OpsTools => (legacy('ops-tools.js') as { ensureAll(): OpsTools }).ensureAll();
/** kube-apiserver and etcd in .smartscale/kube/bin/ (built once). */
export const ensureKubeApiserver = (): KubeApiserverPaths => (legacy('kube-apiserver.js') as { ensureBuilt(): KubeApiserverPaths }).ensureBuilt();
/** Starts a fresh kube-apiserver for one caller; resolves once /readyz says ok. */
export const startKubeApiserver = (name: string): Promise<KubeApiserver> => (legacy('kube-apiserver.js') as { start(n: string): Promise<KubeApiserver> }).start(name);
/** The OpenTelemetry Collector in .smartscale/otelcol/bin/ (built once). */
export const ensureOtelcol = (): OtelcolPaths => (legacy('otelcol.js') as { ensureBuilt(): OtelcolPaths }).ensureBuilt();
export const OTELCOL_VERSION = 'v0.165.0';
