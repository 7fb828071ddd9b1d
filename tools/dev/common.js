'use strict';
// Shared by `npm start` and `npm test`: plain CommonJS with Node built-ins only, because it runs on a
// fresh clone before node_modules exists.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');
const log = (msg) => console.log(`[smartscale] ${msg}`);
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

/**
 * npm install when node_modules is missing or older than the lock file; a no-op otherwise. Not
 * `npm ci`: npm 11 leaves other platforms' optional packages (@swc/core-darwin-*, ...) out of the lock
 * file and then `npm ci` refuses it as out of sync.
 */
function ensureNodeModules() {
  const stamp = path.join(REPO, 'node_modules', '.package-lock.json');
  const lock = path.join(REPO, 'package-lock.json');
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  const t0 = Date.now();
  log('installing npm dependencies (npm install from the lock file)…');
  run('npm', ['install', '--no-audit', '--no-fund']);
  log(`npm dependencies installed in ${secs(t0)}`);
}

/** Runs a command in the repo, inheriting stdio; throws on a non-zero exit. */
function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: REPO, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function build() {
  const t0 = Date.now();
  run('npm', ['run', '--silent', 'build']);
  log(`built dist/ in ${secs(t0)}`);
}

/** The environment every app and test reads, derived from the infra's configured ports. */
function appEnv(infraConfig) {
  return {
    SMARTSCALE_KAFKA_BROKERS: infraConfig.kafka.brokers,
    SMARTSCALE_TEMPORAL_ADDRESS: infraConfig.temporal.address,
    SMARTSCALE_TEMPORAL_UI_URL: infraConfig.temporal.uiUrl,
    SMARTSCALE_ROOT: REPO,
  };
}

/**
 * Starts a long-running child in its own process group (so that stopping it also stops what it
 * spawned, such as the local scaler's aggregator replicas) with its output in a log file.
 */
function startDetached(name, args, env, logDir) {
  const out = fs.openSync(path.join(logDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  return child;
}

/** SIGTERM to the child's process group, SIGKILL after a deadline; resolves when it has exited. */
function stopGroup(child, timeoutMs = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      kill('SIGKILL'); // anything of the group that outlived its leader
      resolve();
    });
    kill('SIGTERM');
  });
}

/** Polls an HTTP URL until it answers 200, or throws after the deadline. */
async function waitForHttp(url, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${what} did not become ready at ${url} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

module.exports = { REPO, log, secs, ensureNodeModules, run, build, appEnv, startDetached, stopGroup, waitForHttp };
