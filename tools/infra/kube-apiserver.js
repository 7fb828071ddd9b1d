#!/usr/bin/env node
'use strict';
/*
 * A real Kubernetes API server for the tests that need one: kube-apiserver and etcd, no containers, no
 * kubelet (objects are stored and validated, the scale subresource works, RBAC and TokenRequest too).
 *
 *   node tools/infra/kube-apiserver.js build          # once: binaries into .smartscale/kube/bin/
 *   node tools/infra/kube-apiserver.js start          # a throw-away server; prints its kubeconfig
 *   node tools/infra/kube-apiserver.js stop|status    # every server started from this checkout
 *   const kube = require('./tools/infra/kube-apiserver.js'); const server = await kube.start('my-test');
 *
 * Plain CommonJS with Node built-ins only, like infra.js and ops-tools.js. Why these choices:
 * - Pinned Kubernetes, built from the Go module proxy (only package registries are reachable, and there is
 *   no Debian package of kube-apiserver). `go install k8s.io/kubernetes/cmd/kube-apiserver@v…` is refused:
 *   k8s.io/kubernetes requires its ~31 staging modules (k8s.io/api, k8s.io/apiserver, …) at v0.0.0 and maps
 *   them with `replace => ./staging/…`, which only the main module may do. So a scratch main module
 *   requires k8s.io/kubernetes and replaces each staging module with its published v0.<minor>.<patch> tag,
 *   the list read from k8s.io/kubernetes's own go.mod so a version bump needs no edit here.
 * - etcd v3.6.5 (the etcd client version Kubernetes v1.35.4 pins) built from the proxy in the same step
 *   (about 45 s more), not Debian's etcd-server 3.4.23: with 3.4 the API server turns consistent reads from
 *   its watch cache off ("RequestWatchProgress feature is not supported"), 3.4 has no --unsafe-no-fsync
 *   (throw-away data, fsync only slows the tests), and apt-get needs root where Go does not.
 * - Go's caches live in .smartscale/kube/go{,-cache} (git-ignored, project-owned: nothing lands in the
 *   user's home, a fresh CI clone builds from nothing exactly once) and are deleted after a successful
 *   build: they hold 3.5 GB, and the version stamp, not the cache, is what prevents a rebuild.
 * - Every start makes a new server in its own directory (.smartscale/kube/run/<name>-<id>/) with its own
 *   CA, serving certificate, admin client certificate (group system:masters) and service-account signing
 *   key, all generated here with openssl, and free ports: tests never share state, and several test runs
 *   on one machine never meet. Readiness is /readyz over TLS verified against that CA.
 * - Servers outlive a crashed test process (detached process groups); `npm stop` (infra.js stop) calls
 *   stopAll(), which stops every one still recorded under .smartscale/kube/run/.
 */

const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const https = require('node:https');
const http = require('node:http');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');

const K8S_VERSION = 'v1.35.4';
const ETCD_VERSION = 'v3.6.5';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

const REPO = path.resolve(__dirname, '..', '..');
const DIR = path.join(REPO, '.smartscale', 'kube');
const BIN = path.join(DIR, 'bin');
const paths = Object.freeze({
  dir: DIR,
  bin: BIN,
  apiserver: path.join(BIN, 'kube-apiserver'),
  etcd: path.join(BIN, 'etcd'),
  stamp: path.join(DIR, 'build.version'),
  build: path.join(DIR, 'build'),
  goPath: path.join(DIR, 'go'),
  goCache: path.join(DIR, 'go-cache'),
  run: path.join(DIR, 'run'),
});

const log = (msg) => console.log(`[kube-apiserver] ${msg}`);
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const stampText = () => `kubernetes ${K8S_VERSION} etcd ${ETCD_VERSION}`;

// ---- build -----------------------------------------------------------------------------------------
function goEnv() {
  const goFlags = [process.env.GOFLAGS, '-buildvcs=false', '-modcacherw', '-p=2'].filter(Boolean).join(' ');
  return {
    ...process.env, GOPATH: paths.goPath, GOCACHE: paths.goCache, GOFLAGS: goFlags, GOTOOLCHAIN: 'local', CGO_ENABLED: '0',
  };
}

/** Runs go in dir with inherited stderr; returns stdout; throws on a non-zero exit. */
function go(dir, args) {
  const r = spawnSync('go', args, { cwd: dir, env: goEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`go could not run (${r.error.message}): kube-apiserver is built with Go (1.26 here) on PATH`);
  if (r.status !== 0) throw new Error(`go ${args.slice(0, 3).join(' ')} … failed with exit code ${r.status} (see above)`);
  return r.stdout;
}

/** True when both binaries answer --version with the pinned versions. */
function isBuilt() {
  const version = (file) => (fs.existsSync(file) ? spawnSync(file, ['--version'], { encoding: 'utf8' }).stdout || '' : '');
  const stamp = fs.existsSync(paths.stamp) ? fs.readFileSync(paths.stamp, 'utf8').trim() : null;
  return stamp === stampText() && version(paths.apiserver).includes(`Kubernetes ${K8S_VERSION}`) && version(paths.etcd).includes(ETCD_VERSION.slice(1));
}

/** Staging modules of k8s.io/kubernetes: the `replace X => ./staging/...` lines of its go.mod. */
function stagingModules(goMod) {
  const block = /^replace \(\n([\s\S]*?)^\)/m.exec(goMod);
  if (!block) throw new Error('k8s.io/kubernetes go.mod has no replace block: the build recipe needs a look');
  return block[1].split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[1] === '=>' && f[2]?.startsWith('./staging/')).map((f) => f[0]);
}

function buildApiserver() {
  const dir = path.join(paths.build, `kubernetes-${K8S_VERSION}`);
  fs.mkdirSync(dir, { recursive: true });
  const info = JSON.parse(go(dir, ['mod', 'download', '-json', `k8s.io/kubernetes@${K8S_VERSION}`]));
  const upstream = fs.readFileSync(info.GoMod, 'utf8');
  const goLine = /^go (\S+)/m.exec(upstream)[1];
  const staging = `v0.${K8S_VERSION.slice('v1.'.length)}`; // v1.35.4 -> v0.35.4
  const replaces = stagingModules(upstream).map((m) => `\t${m} => ${m} ${staging}`);
  fs.writeFileSync(path.join(dir, 'go.mod'), `module smartscalekube\n\ngo ${goLine}\n\nrequire k8s.io/kubernetes ${K8S_VERSION}\n\nreplace (\n${replaces.join('\n')}\n)\n`);
  // `go get` fills go.sum for the package's whole import graph; `go build` alone stops at the first missing entry.
  go(dir, ['get', `k8s.io/kubernetes/cmd/kube-apiserver@${K8S_VERSION}`]);
  // What hack/lib/version.sh stamps; without it /version and --version say v0.0.0-master.
  const [major, minor] = K8S_VERSION.slice(1).split('.');
  const stamps = { gitVersion: K8S_VERSION, gitMajor: major, gitMinor: minor, gitTreeState: 'clean' };
  const x = Object.entries(stamps).flatMap(([k, v]) => ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].map((p) => `-X ${p}.${k}=${v}`));
  go(dir, ['build', '-trimpath', '-ldflags', ['-s', '-w', ...x].join(' '), '-o', paths.apiserver, 'k8s.io/kubernetes/cmd/kube-apiserver']);
  return stagingModules(upstream).length;
}

function buildEtcd() {
  // go.etcd.io/etcd/server/v3 has replace directives too, but requires its siblings at real versions.
  const dir = path.join(paths.build, `etcd-${ETCD_VERSION}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'go.mod'), 'module smartscaleetcd\n\ngo 1.24\n');
  go(dir, ['get', `go.etcd.io/etcd/server/v3@${ETCD_VERSION}`]);
  go(dir, ['build', '-trimpath', '-ldflags', '-s -w', '-o', paths.etcd, 'go.etcd.io/etcd/server/v3']);
}

/** Builds both binaries unless the stamp and their --version say they are the pinned ones. */
function ensureBuilt() {
  if (isBuilt()) return paths;
  const t0 = Date.now();
  log(`building kube-apiserver ${K8S_VERSION} and etcd ${ETCD_VERSION} from the Go module proxy (several minutes, once)…`);
  fs.mkdirSync(BIN, { recursive: true });
  fs.rmSync(paths.stamp, { force: true });
  const modules = buildApiserver();
  log(`kube-apiserver built (${modules} staging modules replaced) at ${secs(t0)}`);
  buildEtcd();
  fs.writeFileSync(paths.stamp, `${stampText()}\n`);
  for (const dir of [paths.goPath, paths.goCache, paths.build]) fs.rmSync(dir, { recursive: true, force: true });
  log(`built in ${secs(t0)}: ${paths.apiserver}, ${paths.etcd}`);
  return paths;
}

// ---- credentials -----------------------------------------------------------------------------------
function openssl(args, cwd) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.error?.message ?? r.stderr}`);
}

/** Names clients may use for the server: loopback for tests, the in-cluster names for completeness. */
const SERVING_NAMES = ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', 'IP:10.0.0.1'];

/**
 * A CA, a serving certificate signed by it, an admin client certificate (O=system:masters: RBAC lets that
 * group do everything, which the tests need to create namespaces, roles and tokens) and the service-account
 * signing key. EC P-256 keeps openssl fast; the SA key is RSA as TokenRequest signs RS256 by default.
 */
function writeCredentials(dir) {
  const days = ['-days', '2'];
  const ec = (name) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  ec('ca');
  openssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=smartscale-test-ca', ...days, '-out', 'ca.crt'], dir);
  const leaf = (name, subj, ext) => {
    ec(name);
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', ...days, '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
  };
  leaf('serving', '/CN=kube-apiserver', `subjectAltName=${SERVING_NAMES.join(',')}\nextendedKeyUsage=serverAuth\n`);
  leaf('admin', '/O=system:masters/CN=smartscale-test-admin', 'extendedKeyUsage=clientAuth\n');
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

// ---- processes -------------------------------------------------------------------------------------
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function procCmdline(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null;
  }
}

/** Alive, not a zombie, and still the binary we started from this checkout (pids get reused). */
function isOurs(pid) {
  const cmdline = procCmdline(pid);
  if (!cmdline || !cmdline.includes(BIN)) return false;
  try {
    return !/\)\s+[ZX]\s/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function spawnDetached(dir, name, cmd, args) {
  const fd = fs.openSync(path.join(dir, `${name}.log`), 'a');
  const child = spawn(cmd, args, { cwd: dir, detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.on('error', () => {}); // seen through the liveness check and the log
  child.unref();
  if (!child.pid) throw new Error(`could not start ${cmd}`);
  fs.writeFileSync(path.join(dir, `${name}.pid`), `${child.pid}\n`);
  return child.pid;
}

function logTail(dir, name, n = 15) {
  try {
    return fs.readFileSync(path.join(dir, `${name}.log`), 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls check() until truthy; gives up early when abort() names a reason (a process exited). */
async function waitFor(check, what, abort, timeoutMs = READY_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = abort();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

function get(url, options = {}) {
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { ...options, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function startEtcd(dir) {
  const [client, peer] = [await freePort(), await freePort()];
  const pid = spawnDetached(dir, 'etcd', paths.etcd, [
    '--name=smartscale', `--data-dir=${path.join(dir, 'etcd')}`, '--unsafe-no-fsync',
    `--listen-client-urls=http://127.0.0.1:${client}`, `--advertise-client-urls=http://127.0.0.1:${client}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=smartscale=http://127.0.0.1:${peer}`, '--initial-cluster-state=new',
    '--logger=zap', '--log-outputs=stderr', '--log-level=warn', '--quota-backend-bytes=268435456',
  ]);
  const url = `http://127.0.0.1:${client}`;
  await waitFor(async () => (await get(`${url}/health`)).status === 200, 'etcd', () => !isOurs(pid) && `exited:\n${logTail(dir, 'etcd')}`);
  return url;
}

async function startApiserver(dir, etcdUrl) {
  const port = await freePort();
  const pid = spawnDetached(dir, 'kube-apiserver', paths.apiserver, [
    `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${port}`,
    '--tls-cert-file=serving.crt', '--tls-private-key-file=serving.key', '--client-ca-file=ca.crt',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--service-account-key-file=sa.key', '--service-account-signing-key-file=sa.key',
    '--authorization-mode=RBAC', '--service-cluster-ip-range=10.0.0.0/24',
    // With a loopback advertise address the default reconciler logs an error every 10 s; nothing needs it here.
    '--endpoint-reconciler-type=none', '--v=0',
  ]);
  const server = `https://127.0.0.1:${port}`;
  const tls = { ca: fs.readFileSync(path.join(dir, 'ca.crt')), cert: fs.readFileSync(path.join(dir, 'admin.crt')), key: fs.readFileSync(path.join(dir, 'admin.key')) };
  const exited = () => !isOurs(pid) && `exited:\n${logTail(dir, 'kube-apiserver')}`;
  await waitFor(async () => {
    const r = await get(`${server}/readyz`, tls);
    return r.status === 200 && r.body === 'ok';
  }, 'kube-apiserver /readyz', exited);
  return server;
}

function writeKubeconfig(dir, server) {
  const file = path.join(dir, 'admin.kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'smartscale-test', cluster: { server, 'certificate-authority': path.join(dir, 'ca.crt') } }],
    users: [{ name: 'admin', user: { 'client-certificate': path.join(dir, 'admin.crt'), 'client-key': path.join(dir, 'admin.key') } }],
    contexts: [{ name: 'admin', context: { cluster: 'smartscale-test', user: 'admin' } }],
    'current-context': 'admin',
  };
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/**
 * Starts a fresh etcd and kube-apiserver for one caller and resolves when /readyz says ok. The result
 * names the server URL, the CA that verifies it, an admin kubeconfig, and stop(). Ports are probed free
 * first; a port taken in between fails one attempt, which is retried.
 */
async function start(name = 'test') {
  ensureBuilt();
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const t0 = Date.now();
    const dir = path.join(paths.run, `${name.replace(/[^a-z0-9-]/gi, '-')}-${crypto.randomBytes(3).toString('hex')}`);
    fs.mkdirSync(dir, { recursive: true });
    try {
      writeCredentials(dir);
      const server = await startApiserver(dir, await startEtcd(dir));
      const kubeconfig = writeKubeconfig(dir, server);
      const startMs = Date.now() - t0;
      return { dir, server, caFile: path.join(dir, 'ca.crt'), kubeconfig, startMs, stop: () => stopDir(dir) };
    } catch (err) {
      lastError = err;
      await stopDir(dir);
      if (!/address already in use/i.test(err.message)) break;
    }
  }
  throw lastError;
}

async function stopPid(pid) {
  const signal = (s) => {
    try {
      process.kill(-pid, s);
    } catch (err) {
      if (err.code !== 'ESRCH') throw err;
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isOurs(pid) && Date.now() < deadline) await sleep(100);
  if (isOurs(pid)) signal('SIGKILL');
}

/** Stops the apiserver first (it would log etcd errors otherwise), then etcd; deletes the directory. */
async function stopDir(dir) {
  for (const name of ['kube-apiserver', 'etcd']) {
    const pidFile = path.join(dir, `${name}.pid`);
    const pid = Number(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() : NaN);
    if (Number.isInteger(pid) && pid > 0 && isOurs(pid)) await stopPid(pid);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function runningDirs() {
  return fs.existsSync(paths.run) ? fs.readdirSync(paths.run).map((d) => path.join(paths.run, d)) : [];
}

/** Stops every server started from this checkout (the stop command calls it). */
async function stopAll() {
  const dirs = runningDirs();
  await Promise.all(dirs.map(stopDir));
  if (dirs.length) log(`stopped ${dirs.length} API server(s)`);
}

function status() {
  log(isBuilt() ? `built: ${stampText()}` : `NOT built (want ${stampText()})`);
  for (const dir of runningDirs()) log(`${path.basename(dir)}: ${fs.existsSync(path.join(dir, 'admin.kubeconfig')) ? path.join(dir, 'admin.kubeconfig') : 'starting or failed'}`);
}

module.exports = { ensureBuilt, isBuilt, start, stopAll, status, paths, K8S_VERSION, ETCD_VERSION };

if (require.main === module) {
  const command = process.argv[2];
  const commands = {
    build: async () => ensureBuilt(),
    start: async () => {
      const s = await start('cli');
      log(`ready in ${(s.startMs / 1000).toFixed(1)} s at ${s.server}`);
      console.log(`KUBECONFIG=${s.kubeconfig}`);
    },
    stop: stopAll,
    status: async () => status(),
  };
  if (!commands[command]) {
    console.error('usage: node tools/infra/kube-apiserver.js build|start|stop|status');
    process.exit(2);
  }
  const t0 = Date.now();
  commands[command]().then(
    () => log(`${command} done in ${secs(t0)}`),
    (err) => {
      console.error(`[kube-apiserver] ${command} failed after ${secs(t0)}: ${err.message}`);
      process.exit(1);
    },
  );
}
