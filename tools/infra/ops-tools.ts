import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { answers, ensureGoBuilt, GoBuild, goBuildPaths } from './go-build';
import { logger, repoRoot, secs } from './util';

/*
 * Binaries that the deploy/ checks run: Helm (lint and template the chart) and promtool (check the
 * Prometheus scrape config and alerting rules). Both end up in .smartscale/ops-tools/bin/, where the
 * specs look for them.
 * - Helm: no Debian package, so it is built with `go install` (go-build.ts; about 3 minutes on two cores, once).
 * - promtool: Debian's `prometheus` package (2.42) through apt-get, as tools/screenshots installs Debian's
 *   chromium; with sudo when not root. A promtool already on PATH is used as it is. Either way it is
 *   linked into .smartscale/ops-tools/bin/ so the specs find both in one place.
 */

export const HELM_VERSION = 'v3.22.0';
const HELM_MODULE = 'helm.sh/helm/v3/cmd/helm';

const DIR = join(repoRoot(), '.smartscale', 'ops-tools');
const { bin: BIN } = goBuildPaths(DIR);
export const opsToolsPaths = Object.freeze({
  dir: DIR,
  bin: BIN,
  helm: join(BIN, 'helm'),
  helmStamp: join(DIR, 'helm.version'),
  promtool: join(BIN, 'promtool'),
});

const log = logger('ops-tools');

export const helmBuild: GoBuild = {
  name: 'ops-tools',
  dir: DIR,
  stampFile: 'helm.version',
  stamp: () => HELM_VERSION,
  verify: () => answers(opsToolsPaths.helm, ['version', '--short']),
  announce: `building Helm ${HELM_VERSION} with go install (a few minutes, once)…`,
  goHint: 'Helm is built with `go install` and needs Go on PATH (recent enough for the go.mod of Helm; built here with 1.26)',
  env: { GOBIN: BIN },
  build: (go) => {
    go(['install', `${HELM_MODULE}@${HELM_VERSION}`], { cwd: repoRoot() });
    return opsToolsPaths.helm;
  },
};

/** Builds Helm once (a changed HELM_VERSION rebuilds); returns its path. */
export function ensureHelm(): string {
  ensureGoBuilt(helmBuild);
  return opsToolsPaths.helm;
}

function onPath(name: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Runs a command with inherited output; throws with `hint` on a non-zero exit. */
function run(cmd: string, args: string[], env: Record<string, string>, hint: string): void {
  const r = spawnSync(cmd, args, { cwd: repoRoot(), stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); ${hint}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}; ${hint}`);
}

/** Links a promtool already on PATH, or installs Debian's prometheus package and links its promtool. */
export function ensurePromtool(): string {
  if (answers(opsToolsPaths.promtool, ['--version'])) return opsToolsPaths.promtool;
  let found = onPath('promtool');
  if (!found) {
    const t0 = Date.now();
    log("installing Debian's prometheus package for promtool (apt-get)…");
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const sudo = root ? [] : onPath('sudo') ? ['sudo', '-n'] : null;
    if (!sudo)
      throw new Error(
        "promtool is missing and apt-get needs root: install Debian's prometheus package (or put promtool on PATH) and run again",
      );
    const apt = (args: string[]) => {
      const [cmd, ...pre] = sudo.length ? [...sudo, 'apt-get'] : ['apt-get'];
      run(cmd, [...pre, ...args], { DEBIAN_FRONTEND: 'noninteractive' }, "install Debian's prometheus package by other means");
    };
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', '--no-install-recommends', 'prometheus']);
    found = onPath('promtool');
    if (!found) throw new Error("Debian's prometheus package installed no promtool on PATH");
    log(`promtool installed in ${secs(t0)}`);
  }
  mkdirSync(BIN, { recursive: true });
  rmSync(opsToolsPaths.promtool, { force: true });
  symlinkSync(found, opsToolsPaths.promtool);
  return opsToolsPaths.promtool;
}

export interface OpsTools {
  helm: string;
  promtool: string;
}

/** Helm and promtool in .smartscale/ops-tools/bin/. */
export function ensureOpsTools(): OpsTools {
  return { helm: ensureHelm(), promtool: ensurePromtool() };
}
