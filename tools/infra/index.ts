/*
 * The public API of tools/infra: the local Kafka broker and Temporal dev server (install, up, stop,
 * status, config), and the binaries some tests need, built once into .smartscale/ (Helm and promtool,
 * kube-apiserver and etcd, the OpenTelemetry Collector). The CLI over it is main.ts. Everything runs from
 * source (Jest) and compiled under dist/tools/infra/ alike: paths come from repoRoot(), never from __dirname.
 */
export { httpOk, logger, repoRoot, secs, sleep, waitFor, waitForHttp } from './util';
export type { Log, WaitOptions } from './util';
export { config, INFRA_ENV } from './config';
export type { InfraConfig } from './config';
export { paths } from './paths';
export type { InfraPaths } from './paths';
export { install, status, stop, up } from './stack';
export type { ServiceStatus, StatusResult, UpResult } from './stack';
export type { ServiceUp } from './process';
export { isAlive } from './process';
export { kafkaReady, temporalReady } from './readiness';
export { ensureOpsTools, HELM_VERSION, opsToolsPaths } from './ops-tools';
export type { OpsTools } from './ops-tools';
export { ensureKubeApiserver, K8S_VERSION, ETCD_VERSION, startKubeApiserver, stopKubeApiservers } from './kube-apiserver';
export type { KubeApiserver, KubeApiserverPaths } from './kube-apiserver';
export { ensureOtelcol, OTELCOL_VERSION } from './otelcol';
export type { OtelcolPaths } from './otelcol';
