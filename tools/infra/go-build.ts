import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logger, readText, secs } from './util';

/*
 * Binaries built from the Go module proxy at pinned versions (only package registries are reachable, and
 * none of these has a usable Debian package): Helm, kube-apiserver and etcd, the OpenTelemetry Collector.
 * They share one shape, written here once:
 * - each has its own directory under .smartscale/ with bin/, a version stamp and Go's caches (GOPATH,
 *   GOCACHE: nothing lands in the user's home, and a fresh clone builds from nothing exactly once; the
 *   module cache is made writable so that `rm -rf .smartscale` removes it);
 * - "already built" = the stamp holds the wanted text and the binaries answer their own check;
 * - the caches (gigabytes) are deleted after a successful build: the stamp, not the cache, prevents a rebuild.
 */

/** Runs one go command in cwd with this build's environment; returns stdout when captured. */
export type Go = (args: string[], options?: { cwd?: string; capture?: boolean }) => string;

export interface GoBuild {
  /** Log prefix, e.g. "otelcol". */
  name: string;
  /** .smartscale/<name>: bin/, the stamp, Go's caches. */
  dir: string;
  /** The stamp file's name in dir. */
  stampFile: string;
  /** What the stamp must hold: the pinned versions (and anything else whose change must rebuild). */
  stamp: () => string;
  /** The binaries answer as the pinned ones (e.g. `--version`); asked only when the stamp matches. */
  verify: () => boolean;
  /** Logged before a build, e.g. "building Helm v3.22.0 with go install (a few minutes, once)…". */
  announce: string;
  /** Said when go cannot run or fails: which Go the build needs. */
  goHint: string;
  /** GOFLAGS beyond -modcacherw, e.g. -buildvcs=false. */
  goFlags?: string[];
  /** Extra environment, e.g. GOBIN. */
  env?: Record<string, string>;
  /** Scratch directories deleted with the caches after a successful build. */
  scratch?: string[];
  /** Builds into bin/ through `go` and returns a short detail for the log. */
  build: (go: Go) => string | void;
}

export const goBuildPaths = (dir: string) => ({ bin: join(dir, 'bin'), goPath: join(dir, 'go'), goCache: join(dir, 'go-cache') });

/** True when the stamp holds the wanted text and the binaries answer as the pinned ones. */
export function isGoBuilt(spec: Pick<GoBuild, 'dir' | 'stampFile' | 'stamp' | 'verify'>): boolean {
  return readText(join(spec.dir, spec.stampFile)) === spec.stamp() && spec.verify();
}

export function goEnv(spec: Pick<GoBuild, 'dir' | 'goFlags' | 'env'>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { goPath, goCache } = goBuildPaths(spec.dir);
  const goFlags = [base.GOFLAGS, ...(spec.goFlags ?? []), '-modcacherw'].filter(Boolean).join(' ');
  return { ...base, ...spec.env, GOPATH: goPath, GOCACHE: goCache, GOFLAGS: goFlags, GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
}

function goRunner(spec: GoBuild): Go {
  const env = goEnv(spec);
  return (args, { cwd = spec.dir, capture = false } = {}) => {
    const r = spawnSync('go', args, {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw new Error(`go could not run (${r.error.message}); ${spec.goHint}`);
    if (r.status !== 0) throw new Error(`go ${args.slice(0, 3).join(' ')} … failed with exit code ${r.status}; see the go output above`);
    return r.stdout ?? '';
  };
}

/** Builds once: a no-op when isGoBuilt, else builds, writes the stamp and deletes the caches. */
export function ensureGoBuilt(spec: GoBuild, go: Go = goRunner(spec)): boolean {
  if (isGoBuilt(spec)) return false;
  const log = logger(spec.name);
  const t0 = Date.now();
  const { bin, goPath, goCache } = goBuildPaths(spec.dir);
  const stampPath = join(spec.dir, spec.stampFile);
  log(spec.announce);
  mkdirSync(bin, { recursive: true });
  rmSync(stampPath, { force: true });
  const detail = spec.build(go);
  writeFileSync(stampPath, `${spec.stamp()}\n`);
  for (const dir of [goPath, goCache, ...(spec.scratch ?? [])]) rmSync(dir, { recursive: true, force: true });
  log(`built in ${secs(t0)}${detail ? ` (${detail})` : ''}`);
  return true;
}

/** True when file exists and `file ...args` exits 0 (a `--version`-style probe). */
export function answers(file: string, args: string[]): boolean {
  return spawnSync(file, args, { stdio: 'ignore' }).status === 0;
}

/** What `file ...args` prints, or '' when it cannot run. */
export function output(file: string, args: string[]): string {
  return spawnSync(file, args, { encoding: 'utf8' }).stdout ?? '';
}
