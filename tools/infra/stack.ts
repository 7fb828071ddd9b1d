import { config, InfraConfig } from './config';
import { allInstalled, COMPONENTS, installAll, isInstalled, throwIfAnyFailed } from './install';
import { upKafka } from './kafka';
import { stopKubeApiservers } from './kube-apiserver';
import { withLock } from './lock';
import { ourPid, ServiceUp, stopRecorded } from './process';
import { httpOk, kafkaReady, temporalReady } from './readiness';
import { upTemporal } from './temporal';
import { logger } from './util';

/*
 * The local stack: a single-node Kafka broker and a Temporal dev server under .smartscale/. install, up
 * and stop take the per-checkout lock (lock.ts); up reuses servers that already answer, and stop also stops
 * the kube-apiservers that tests started (kube-apiserver.ts), in case a test died before stopping its own.
 */

const log = logger('infra');

export interface UpResult {
  kafka: ServiceUp;
  temporal: ServiceUp & { uiReady: boolean };
  config: InfraConfig;
}

/** Starts (or reuses) Kafka and Temporal in parallel; installs first if anything is missing. */
async function upAll(): Promise<UpResult> {
  if (!allInstalled()) await installAll();
  const cfg = config();
  const [kafka, temporal] = await Promise.allSettled([upKafka(cfg), upTemporal(cfg)]);
  throwIfAnyFailed([kafka, temporal]);
  return {
    kafka: (kafka as PromiseFulfilledResult<ServiceUp>).value,
    temporal: (temporal as PromiseFulfilledResult<UpResult['temporal']>).value,
    config: cfg,
  };
}

async function stopAll(): Promise<void> {
  await stopRecorded();
  // API servers the Kubernetes tests started, if a test died before stopping its own.
  await stopKubeApiservers();
}

/** Installs Kafka's jars and the Temporal binaries into .smartscale/ (cached; a pinned version bump reinstalls). */
export const install = (): Promise<void> => withLock('install', () => installAll());
/** Starts Kafka and Temporal, or reuses the ones that already answer; installs first when needed. */
export const up = (): Promise<UpResult> => withLock('up', upAll);
/** Stops only what this checkout started (pid files under .smartscale/run/), and its kube-apiservers. */
export const stop = (): Promise<void> => withLock('stop', stopAll);

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

async function serviceStatus(name: string, endpoint: string, ready: () => Promise<boolean>): Promise<ServiceStatus> {
  const pid = ourPid(name);
  const isReady = await ready();
  const running = pid ? `pid ${pid} (ours)` : isReady ? 'reused (not started by us)' : 'not running';
  log(`${name.padEnd(22)} ${endpoint.padEnd(22)} ${running}, ${isReady ? 'ready' : 'NOT ready'}`);
  return { pid, running: Boolean(pid) || isReady, ready: isReady };
}

/** Prints and returns installed versions and the state of each service. */
export async function status(): Promise<StatusResult> {
  const installed: Record<string, string | null> = {};
  for (const c of COMPONENTS) {
    installed[c.name] = isInstalled(c) ? c.version : null;
    log(`${c.name.padEnd(22)} ${installed[c.name] ? `installed ${c.version}` : `NOT installed (want ${c.version})`}`);
  }
  const cfg = config();
  const [kafka, temporal, ui] = await Promise.all([
    serviceStatus('kafka', cfg.kafka.brokers, () => kafkaReady(cfg.kafka.host, cfg.kafka.port)),
    serviceStatus('temporal', cfg.temporal.address, () => temporalReady(cfg.temporal.address)),
    httpOk(cfg.temporal.uiUrl),
  ]);
  log(`${'temporal-ui'.padEnd(22)} ${cfg.temporal.uiUrl.padEnd(22)} ${ui ? 'ready' : 'NOT ready'}`);
  return { installed, kafka, temporal: { ...temporal, uiReady: ui }, config: cfg };
}
