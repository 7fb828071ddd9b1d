'use strict';
// The one script that runs before anything is installed or compiled, so plain CommonJS with Node
// built-ins only: `node tools/bootstrap.js <command> [args]` installs the npm dependencies when they
// are missing or older than package-lock.json, builds dist/ (npm run build), then runs the compiled
// TypeScript command with the remaining arguments. Everything else lives in tools/dev and tools/infra.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// This file is neither compiled nor moved (the build ignores *.js): the checkout is its parent folder.
const REPO = path.resolve(__dirname, '..');
const COMMANDS = {
  start: ['dist/tools/dev/start.js', 'npm start: Kafka, Temporal, the apps and a demo scenario'],
  test: ['dist/tools/dev/test.js', 'npm test: type-check, lint, unit, workflow and integration tests'],
  stop: ['dist/tools/dev/stop.js', 'npm stop: stop what this checkout started'],
  infra: ['dist/tools/infra/main.js', 'npm run infra:*: install|up|stop|status of Kafka and Temporal'],
};
const log = (msg) => console.log(`[smartscale] ${msg}`);
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0)
    throw Object.assign(new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status ?? r.signal}`), { said: true });
}

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

function build() {
  const t0 = Date.now();
  run('npm', ['run', '--silent', 'build']);
  log(`built dist/ in ${secs(t0)}`);
}

function main([command, ...args]) {
  if (!Object.hasOwn(COMMANDS, command ?? '')) {
    const list = Object.entries(COMMANDS).map(([name, [, what]]) => `  ${name.padEnd(6)} ${what}`);
    console.error(
      `${command ? `[smartscale] unknown command "${command}"\n` : ''}usage: node tools/bootstrap.js <command> [args]\n${list.join('\n')}`,
    );
    process.exit(2);
  }
  ensureNodeModules();
  build();
  const entry = path.join(REPO, COMMANDS[command][0]);
  if (!fs.existsSync(entry)) throw Object.assign(new Error(`${path.relative(REPO, entry)} is missing after the build`), { said: true });
  process.argv = [process.argv[0], entry, ...args]; // the command sees the arguments it would see run directly
  const mod = require(entry);
  // A command exports main(args); one that runs by itself when loaded exports nothing to call.
  return typeof mod.main === 'function' ? mod.main(args) : undefined;
}

Promise.resolve()
  .then(() => main(process.argv.slice(2)))
  .catch((err) => {
    // Our own failures in one line; anything else (a compiled command that throws) with its stack.
    console.error(`[smartscale] ${err.said ? err.message : err.stack}`);
    process.exit(1);
  });
