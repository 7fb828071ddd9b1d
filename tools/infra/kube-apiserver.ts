import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, RequestOptions } from 'node:https';
import { basename, join } from 'node:path';
import { freePort } from '@smartscale/testing/free-port';
import { writeTestPki } from '@smartscale/testing/test-pki';
import { ensureGoBuilt, GoBuild, goBuildPaths, isGoBuilt, output } from './go-build';
import { killGroup } from './process';
import { logger, repoRoot, sleep, waitFor } from './util';

/*
 * A real Kubernetes API server for the tests that need one: kube-apiserver and etcd, no containers, no
 * kubelet (objects are stored and validated, the scale subresource works, RBAC and TokenRequest too).
 * - Pinned Kubernetes, built from the Go module proxy (go-build.ts; there is no Debian package of
 *   kube-apiserver). `go install k8s.io/kubernetes/cmd/kube-apiserver@v…` is refused: k8s.io/kubernetes
 *   requires its ~31 staging modules (k8s.io/api, k8s.io/apiserver, …) at v0.0.0 and maps them with
 *   `replace => ./staging/…`, which only the main module may do. So a scratch main module requires
 *   k8s.io/kubernetes and replaces each staging module with its published v0.<minor>.<patch> tag, the list
 *   read from k8s.io/kubernetes's own go.mod so a version bump needs no edit here.
 * - etcd v3.6.5 (the etcd client version Kubernetes v1.35.4 pins) built from the proxy in the same step
 *   (about 45 s more), not Debian's etcd-server 3.4.23: with 3.4 the API server turns consistent reads from
 *   its watch cache off ("RequestWatchProgress feature is not supported"), 3.4 has no --unsafe-no-fsync
 *   (throw-away data, fsync only slows the tests), and apt-get needs root where Go does not.
 * - Every start makes a new server in its own directory (.smartscale/kube/run/<name>-<id>/) with its own
 *   CA, serving certificate, admin client certificate (group system:masters) and service-account signing
 *   key, all generated here with openssl, and free ports: tests never share state, and several test runs
 *   on one machine never meet. Readiness is /readyz over TLS verified against that CA.
 * - Servers outlive a crashed test process (detached process groups); infra's stop calls stopAll(), which
 *   stops every one still recorded under .smartscale/kube/run/.
 */

export const K8S_VERSION = 'v1.35.4';
export const ETCD_VERSION = 'v3.6.5';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

const DIR = join(repoRoot(), '.smartscale', 'kube');
const { bin: BIN } = goBuildPaths(DIR);
export const kubePaths = Object.freeze({
  dir: DIR,
  bin: BIN,
  apiserver: join(BIN, 'kube-apiserver'),
  etcd: join(BIN, 'etcd'),
  stamp: join(DIR, 'build.version'),
  build: join(DIR, 'build'),
  run: join(DIR, 'run'),
});
export type KubeApiserverPaths = typeof kubePaths;

const log = logger('kube-apiserver');
const stampText = (): string => `kubernetes ${K8S_VERSION} etcd ${ETCD_VERSION}`;

// ---- build -----------------------------------------------------------------------------------------
/** Staging modules of k8s.io/kubernetes: the `replace X => ./staging/...` lines of its go.mod. */
export function stagingModules(goMod: string): string[] {
  const block = /^replace \(\n([\s\S]*?)^\)/m.exec(goMod);
  if (!block) throw new Error('k8s.io/kubernetes go.mod has no replace block: the build recipe needs a look');
  return block[1]
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === '=>' && f[2]?.startsWith('./staging/'))
    .map((f) => f[0]);
}

export const kubeBuild: GoBuild = {
  name: 'kube-apiserver',
  dir: DIR,
  stampFile: 'build.version',
  stamp: stampText,
  verify: () =>
    output(kubePaths.apiserver, ['--version']).includes(`Kubernetes ${K8S_VERSION}`) &&
    output(kubePaths.etcd, ['--version']).includes(ETCD_VERSION.slice(1)),
  announce: `building kube-apiserver ${K8S_VERSION} and etcd ${ETCD_VERSION} from the Go module proxy (several minutes, once)…`,
  goHint: 'kube-apiserver is built with Go (1.26 here) on PATH',
  goFlags: ['-buildvcs=false', '-p=2'],
  scratch: [kubePaths.build],
  build: (go) => {
    // kube-apiserver: a scratch main module that replaces each staging module with its published tag.
    const dir = join(kubePaths.build, `kubernetes-${K8S_VERSION}`);
    mkdirSync(dir, { recursive: true });
    const info = JSON.parse(go(['mod', 'download', '-json', `k8s.io/kubernetes@${K8S_VERSION}`], { cwd: dir, capture: true })) as {
      GoMod: string;
    };
    const upstream = readFileSync(info.GoMod, 'utf8');
    const goLine = /^go (\S+)/m.exec(upstream)?.[1];
    const staging = `v0.${K8S_VERSION.slice('v1.'.length)}`; // v1.35.4 -> v0.35.4
    const modules = stagingModules(upstream);
    const replaces = modules.map((m) => `\t${m} => ${m} ${staging}`);
    writeFileSync(
      join(dir, 'go.mod'),
      `module smartscalekube\n\ngo ${goLine}\n\nrequire k8s.io/kubernetes ${K8S_VERSION}\n\nreplace (\n${replaces.join('\n')}\n)\n`,
    );
    // `go get` fills go.sum for the package's whole import graph; `go build` alone stops at the first missing entry.
    go(['get', `k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}`], { cwd: dir, capture: true });
    // What hack/lib/version.sh stamps; without it /version and --version say v0.0.0-master.
    const [major, minor] = K8S_VERSION.slice(1).split('.');
    const stamps = { gitVersion: K8S_VERSION, gitMajor: major, gitMinor: minor, gitTreeState: 'clean' };
    const x = Object.entries(stamps).flatMap(([k, v]) =>
      ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].map((p) => `-X ${p}.${k}=${v}`),
    );
    go(
      ['build', '-trimpath', '-ldflags', ['-s', '-w', ...x].join(' '), '-o', kubePaths.apiserver, 'k8s.io/kubernetes/cmd/kube-apiserver'],
      { cwd: dir, capture: true },
    );
    log(`kube-apiserver built (${modules.length} staging modules replaced)`);
    // etcd: go.etcd.io/etcd/server/v3 has replace directives too, but requires its siblings at real versions.
    const etcdDir = join(kubePaths.build, `etcd-${ETCD_VERSION}`);
    mkdirSync(etcdDir, { recursive: true });
    writeFileSync(join(etcdDir, 'go.mod'), 'module smartscaleetcd\n\ngo 1.24\n');
    go(['get', `go.etcd.io/etcd/server/v3@${ETCD_VERSION}`], { cwd: etcdDir, capture: true });
    go(['build', '-trimpath', '-ldflags', '-s -w', '-o', kubePaths.etcd, 'go.etcd.io/etcd/server/v3'], { cwd: etcdDir, capture: true });
    return `${kubePaths.apiserver}, ${kubePaths.etcd}`;
  },
};

/** True when the stamp and both binaries' --version say they are the pinned ones. */
export const isBuilt = (): boolean => isGoBuilt(kubeBuild);

/** Builds both binaries once; returns their paths. */
export function ensureKubeApiserver(): KubeApiserverPaths {
  ensureGoBuilt(kubeBuild);
  return kubePaths;
}

// ---- credentials -----------------------------------------------------------------------------------
/** Names clients may use for the server: loopback for tests, the in-cluster names for completeness. */
const SERVING_NAMES = [
  'IP:127.0.0.1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
  'IP:10.0.0.1',
];

/**
 * A CA, a serving certificate signed by it, an admin client certificate (O=system:masters: RBAC lets that
 * group do everything, which the tests need to create namespaces, roles and tokens) and the service-account
 * signing key. EC P-256 keeps openssl fast; the SA key is RSA as TokenRequest signs RS256 by default.
 */
function writeCredentials(dir: string): void {
  writeTestPki(dir, {
    caSubject: '/CN=smartscale-test-ca',
    days: 2,
    leaves: [
      {
        name: 'serving',
        subject: '/CN=kube-apiserver',
        extensions: `subjectAltName=${SERVING_NAMES.join(',')}\nextendedKeyUsage=serverAuth\n`,
      },
      { name: 'admin', subject: '/O=system:masters/CN=smartscale-test-admin', extensions: 'extendedKeyUsage=clientAuth\n' },
    ],
  });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

// ---- processes -------------------------------------------------------------------------------------
/** Alive, not a zombie, and still the binary we started from this checkout (pids get reused). */
function isOurs(pid: number): boolean {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(BIN)) return false;
    return !/\)\s+[ZX]\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function spawnDetached(dir: string, name: string, cmd: string, args: string[]): number {
  const fd = openSync(join(dir, `${name}.log`), 'a');
  const child = spawn(cmd, args, { cwd: dir, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.on('error', () => {}); // seen through the liveness check and the log
  child.unref();
  if (!child.pid) throw new Error(`could not start ${cmd}`);
  writeFileSync(join(dir, `${name}.pid`), `${child.pid}\n`);
  return child.pid;
}

function logTail(dir: string, name: string, n = 15): string {
  try {
    return readFileSync(join(dir, `${name}.log`), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-n)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

function get(url: string, options: RequestOptions = {}): Promise<{ status: number | undefined; body: string }> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { ...options, method: 'GET', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Polls check every 100 ms until true; ends early with the process's log when it exits. */
const ready = (what: string, check: () => Promise<boolean>, exited: () => string | false) =>
  waitFor(check, { what, abort: exited, intervalMs: 100, timeoutMs: READY_TIMEOUT_MS });

async function startEtcd(dir: string): Promise<string> {
  const [client, peer] = [await freePort(), await freePort()];
  const pid = spawnDetached(dir, 'etcd', kubePaths.etcd, [
    '--name=smartscale',
    `--data-dir=${join(dir, 'etcd')}`,
    '--unsafe-no-fsync',
    `--listen-client-urls=http://127.0.0.1:${client}`,
    `--advertise-client-urls=http://127.0.0.1:${client}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=smartscale=http://127.0.0.1:${peer}`,
    '--initial-cluster-state=new',
    '--logger=zap',
    '--log-outputs=stderr',
    '--log-level=warn',
    '--quota-backend-bytes=268435456',
  ]);
  const url = `http://127.0.0.1:${client}`;
  await ready(
    'etcd',
    async () => (await get(`${url}/health`)).status === 200,
    () => !isOurs(pid) && `exited:\n${logTail(dir, 'etcd')}`,
  );
  return url;
}

async function startApiserver(dir: string, etcdUrl: string): Promise<string> {
  const port = await freePort();
  const pid = spawnDetached(dir, 'kube-apiserver', kubePaths.apiserver, [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    '--tls-cert-file=serving.crt',
    '--tls-private-key-file=serving.key',
    '--client-ca-file=ca.crt',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--service-account-key-file=sa.key',
    '--service-account-signing-key-file=sa.key',
    '--authorization-mode=RBAC',
    '--service-cluster-ip-range=10.0.0.0/24',
    // With a loopback advertise address the default reconciler logs an error every 10 s; nothing needs it here.
    '--endpoint-reconciler-type=none',
    '--v=0',
  ]);
  const server = `https://127.0.0.1:${port}`;
  const tls = {
    ca: readFileSync(join(dir, 'ca.crt')),
    cert: readFileSync(join(dir, 'admin.crt')),
    key: readFileSync(join(dir, 'admin.key')),
  };
  const exited = () => !isOurs(pid) && `exited:\n${logTail(dir, 'kube-apiserver')}`;
  await ready(
    'kube-apiserver /readyz',
    async () => {
      const r = await get(`${server}/readyz`, tls);
      return r.status === 200 && r.body === 'ok';
    },
    exited,
  );
  return server;
}

function writeKubeconfig(dir: string, server: string): string {
  const file = join(dir, 'admin.kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'smartscale-test', cluster: { server, 'certificate-authority': join(dir, 'ca.crt') } }],
    users: [{ name: 'admin', user: { 'client-certificate': join(dir, 'admin.crt'), 'client-key': join(dir, 'admin.key') } }],
    contexts: [{ name: 'admin', context: { cluster: 'smartscale-test', user: 'admin' } }],
    'current-context': 'admin',
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return file;
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

/**
 * Starts a fresh etcd and kube-apiserver for one caller and resolves when /readyz says ok. Ports are
 * probed free first; a port taken in between fails one attempt, which is retried.
 */
export async function startKubeApiserver(name = 'test'): Promise<KubeApiserver> {
  ensureKubeApiserver();
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const t0 = Date.now();
    const dir = join(kubePaths.run, `${name.replace(/[^a-z0-9-]/gi, '-')}-${randomBytes(3).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    try {
      writeCredentials(dir);
      const server = await startApiserver(dir, await startEtcd(dir));
      const kubeconfig = writeKubeconfig(dir, server);
      return { dir, server, caFile: join(dir, 'ca.crt'), kubeconfig, startMs: Date.now() - t0, stop: () => stopDir(dir) };
    } catch (err) {
      lastError = err as Error;
      await stopDir(dir);
      if (!/address already in use/i.test(lastError.message)) break;
    }
  }
  throw lastError;
}

async function stopPid(pid: number): Promise<void> {
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isOurs(pid) && Date.now() < deadline) await sleep(100);
  if (isOurs(pid)) killGroup(pid, 'SIGKILL');
}

/** Stops the apiserver first (it would log etcd errors otherwise), then etcd; deletes the directory. */
async function stopDir(dir: string): Promise<void> {
  for (const name of ['kube-apiserver', 'etcd']) {
    const pidFile = join(dir, `${name}.pid`);
    const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : NaN);
    if (Number.isInteger(pid) && pid > 0 && isOurs(pid)) await stopPid(pid);
  }
  rmSync(dir, { recursive: true, force: true });
}

function runningDirs(): string[] {
  return existsSync(kubePaths.run) ? readdirSync(kubePaths.run).map((d) => join(kubePaths.run, d)) : [];
}

/** Stops every server started from this checkout (infra's stop calls it). */
export async function stopKubeApiservers(): Promise<void> {
  const dirs = runningDirs();
  await Promise.all(dirs.map(stopDir));
  if (dirs.length) log(`stopped ${dirs.length} API server(s)`);
}

export function kubeStatus(): void {
  log(isBuilt() ? `built: ${stampText()}` : `NOT built (want ${stampText()})`);
  for (const dir of runningDirs())
    log(`${basename(dir)}: ${existsSync(join(dir, 'admin.kubeconfig')) ? join(dir, 'admin.kubeconfig') : 'starting or failed'}`);
}
