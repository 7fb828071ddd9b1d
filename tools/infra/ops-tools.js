#!/usr/bin/env node
'use strict';
/*
 * Binaries that the deploy/ checks run: Helm (lint and template the chart) and promtool (check the
 * Prometheus scrape config and alerting rules).
 *
 *   node tools/infra/ops-tools.js            # installs both when missing, prints where they are
 *   const { ensureHelm, ensurePromtool, paths } = require('./tools/infra/ops-tools.js');
 *
 * Plain CommonJS with Node built-ins only, like infra.js (kept apart from it so that file stays the
 * Kafka/Temporal one). Both binaries end up in <repo>/.smartscale/ops-tools/bin/, where the Jest specs
 * look for them. Why these sources:
 * - Helm: no Debian package, and only package registries are reachable, so it is built from source with
 *   `go install` (about 3 minutes on two cores, once; GOPATH, GOCACHE and GOBIN are all under
 *   .smartscale/ so nothing lands in the user's home and `rm -rf .smartscale` removes everything: the
 *   module cache is made writable for that).
 * - promtool: Debian's `prometheus` package (2.42) through apt-get, as tools/screenshots installs Debian's
 *   chromium; with sudo when not root. A promtool already on PATH is used as it is. Either way it is
 *   linked into .smartscale/ops-tools/bin/ so the specs find both in one place.
 */

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const HELM_VERSION = 'v3.22.0';
const HELM_MODULE = 'helm.sh/helm/v3/cmd/helm';

const REPO = path.resolve(__dirname, '..', '..');
const DIR = path.join(REPO, '.smartscale', 'ops-tools');
const BIN = path.join(DIR, 'bin');

const paths = Object.freeze({
  dir: DIR,
  bin: BIN,
  helm: path.join(BIN, 'helm'),
  helmStamp: path.join(DIR, 'helm.version'),
  promtool: path.join(BIN, 'promtool'),
  goPath: path.join(DIR, 'go'),
  goCache: path.join(DIR, 'go-cache'),
});

const log = (msg) => console.log(`[ops-tools] ${msg}`);
const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

/** Runs a command with inherited output; throws with `hint` on a non-zero exit. */
function run(cmd, args, env, hint) {
  const r = spawnSync(cmd, args, { cwd: REPO, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); ${hint}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}; ${hint}`);
}

/** True when `file --version`-style probe exits 0. */
function runs(file, args) {
  return fs.existsSync(file) && spawnSync(file, args, { stdio: 'ignore' }).status === 0;
}

function onPath(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Builds Helm once; a stamp holding the version makes a changed HELM_VERSION rebuild. */
function ensureHelm() {
  const stamp = fs.existsSync(paths.helmStamp) ? fs.readFileSync(paths.helmStamp, 'utf8').trim() : null;
  if (stamp === HELM_VERSION && runs(paths.helm, ['version', '--short'])) return paths.helm;
  if (!onPath('go')) throw new Error('Helm is built with `go install` and needs Go on PATH (recent enough for the go.mod of Helm; built here with 1.26)');
  const t0 = Date.now();
  log(`building Helm ${HELM_VERSION} with go install (a few minutes, once)…`);
  fs.mkdirSync(BIN, { recursive: true });
  const goFlags = [process.env.GOFLAGS, '-modcacherw'].filter(Boolean).join(' ');
  run(
    'go',
    ['install', `${HELM_MODULE}@${HELM_VERSION}`],
    { GOBIN: BIN, GOPATH: paths.goPath, GOCACHE: paths.goCache, GOFLAGS: goFlags, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' },
    'see the go output above',
  );
  fs.writeFileSync(paths.helmStamp, `${HELM_VERSION}\n`);
  // The module and build caches (over 1 GB) are only needed to build: the stamp prevents a rebuild.
  for (const dir of [paths.goPath, paths.goCache]) fs.rmSync(dir, { recursive: true, force: true });
  log(`Helm ${HELM_VERSION} built in ${secs(t0)}: ${paths.helm}`);
  return paths.helm;
}

/** Links a promtool already on PATH, or installs Debian's prometheus package and links its promtool. */
function ensurePromtool() {
  if (runs(paths.promtool, ['--version'])) return paths.promtool;
  let found = onPath('promtool');
  if (!found) {
    const t0 = Date.now();
    log("installing Debian's prometheus package for promtool (apt-get)…");
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const sudo = root ? [] : onPath('sudo') ? ['sudo', '-n'] : null;
    if (!sudo) throw new Error("promtool is missing and apt-get needs root: install Debian's prometheus package (or put promtool on PATH) and run again");
    const apt = (args) => {
      const [cmd, ...pre] = sudo.length ? [...sudo, 'apt-get'] : ['apt-get'];
      run(cmd, [...pre, ...args], { DEBIAN_FRONTEND: 'noninteractive' }, "install Debian's prometheus package by other means");
    };
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', '--no-install-recommends', 'prometheus']);
    found = onPath('promtool');
    if (!found) throw new Error("Debian's prometheus package installed no promtool on PATH");
    log(`promtool installed in ${secs(t0)}`);
  }
  fs.mkdirSync(BIN, { recursive: true });
  fs.rmSync(paths.promtool, { force: true });
  fs.symlinkSync(found, paths.promtool);
  return paths.promtool;
}

function ensureAll() {
  return { helm: ensureHelm(), promtool: ensurePromtool() };
}

module.exports = { ensureHelm, ensurePromtool, ensureAll, paths, HELM_VERSION };

if (require.main === module) {
  try {
    const found = ensureAll();
    log(`helm: ${found.helm}`);
    log(`promtool: ${found.promtool}`);
  } catch (err) {
    console.error(`[ops-tools] ${err.message}`);
    process.exit(1);
  }
}
