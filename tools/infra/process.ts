import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { paths } from './paths';
import { lastLines, logger, readText, secs, waitFor } from './util';

/*
 * Process supervision for the servers this checkout starts: detached process groups, a pid file and a
 * log per service under .smartscale/run/, and stop = SIGTERM to the group, SIGKILL after a deadline.
 * Only processes that are provably ours (group leader, command line under .smartscale/) are touched.
 */

export { sleep, waitFor, waitForHttp } from './util';

const log = logger('infra');
const STOP_TIMEOUT_MS = 30_000;

export const pidFile = (name: string, runDir = paths.run): string => join(runDir, `${name}.pid`);
export const logFile = (name: string, runDir = paths.run): string => join(runDir, `${name}.log`);

export interface ProcInfo {
  state: string;
  pgrp: number;
  cmdline: string;
}

/** State, process group and command line from /proc, or null when the process is gone. */
export function procInfo(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // comm may contain spaces
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return { state: fields[0], pgrp: Number(fields[2]), cmdline };
  } catch {
    return null;
  }
}

/** Alive and not a zombie (a zombie still answers kill(pid, 0)). */
export function isAlive(pid: number): boolean {
  const info = procInfo(pid);
  return info !== null && info.state !== 'Z' && info.state !== 'X';
}

/** Pid from the pid file, but only if that process is still ours: same group leader, our paths. */
export function ourPid(name: string, runDir = paths.run, root = paths.root): number | null {
  const pid = Number(readText(pidFile(name, runDir)));
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const info = procInfo(pid);
  const ours = info !== null && info.state !== 'Z' && info.pgrp === pid && info.cmdline.includes(root);
  return ours ? pid : null;
}

/** Starts cmd detached in its own process group, output to run/<name>.log, and records its pid. */
export function startDetached(name: string, cmd: string, args: string[], cwd: string, runDir = paths.run): number {
  mkdirSync(runDir, { recursive: true });
  const logPath = logFile(name, runDir);
  if (existsSync(logPath)) renameSync(logPath, `${logPath}.1`); // keep the previous run's log
  const fd = openSync(logPath, 'a');
  const child = spawn(cmd, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.on('error', () => {}); // reported through the liveness check and the log
  child.unref();
  if (!child.pid) throw new Error(`could not start ${cmd}`);
  writeFileSync(pidFile(name, runDir), `${child.pid}\n`);
  return child.pid;
}

/**
 * The tail of a service log, preceded by its first error lines: Kafka logs its whole shutdown after
 * a fatal error, so the cause (e.g. "Address already in use") is far above the last lines.
 */
export function logExcerpt(file: string, n = 20): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trimEnd();
  } catch {
    return '(no log)';
  }
  const errors = text
    .split('\n')
    .filter((l) => /\b(ERROR|FATAL)\b|level=ERROR|Exception:/.test(l))
    .slice(0, 8);
  const head = errors.length ? `-- first error lines --\n${errors.join('\n')}\n-- last ${n} lines --\n` : '';
  return head + lastLines(text, n);
}

export interface Service {
  name: string;
  /** Shown in the log, e.g. 127.0.0.1:9092. */
  endpoint: string;
  ready: () => Promise<boolean>;
  /** Starts the process and returns its pid (a process group leader). */
  start: () => Promise<number> | number;
  timeoutMs: number;
}

export interface ServiceUp {
  /** It answered before we did anything (ours from an earlier `up`, or someone else's). */
  reused: boolean;
  pid: number | null;
}

/**
 * Reuses a server that already answers, else starts ours (or adopts one of ours that is still starting)
 * and polls readiness. If our process dies or never gets ready, shows its log tail.
 */
export async function ensureService({ name, endpoint, ready, start, timeoutMs }: Service): Promise<ServiceUp> {
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
    console.error(`[infra] ${name}: from ${relative(paths.repo, logFile(name))}:\n${logExcerpt(logFile(name))}`);
    if (!isAlive(pid)) rmSync(pidFile(name), { force: true });
    throw err;
  }
  log(`${name}: ready on ${endpoint} in ${secs(t0)}`);
  return { reused: false, pid };
}

/** Signals a process group; a group that is already gone is fine. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** SIGTERM the process group, poll until gone, SIGKILL after the deadline. */
export async function stopProcess(name: string, pid: number, timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
  const t0 = Date.now();
  killGroup(pid, 'SIGTERM');
  try {
    await waitFor(() => !isAlive(pid), { timeoutMs, intervalMs: 200, what: `${name} to exit` });
    log(`${name}: stopped (pid ${pid}) in ${secs(t0)}`);
  } catch {
    killGroup(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { timeoutMs: 5000, intervalMs: 100, what: `${name} to die` });
    log(`${name}: killed (pid ${pid}) after ${secs(t0)}: it ignored SIGTERM`);
  }
}

/** Stops only what this checkout started (pid files under .smartscale/run/ that still match). */
export async function stopRecorded(runDir = paths.run): Promise<void> {
  const names = existsSync(runDir)
    ? readdirSync(runDir)
        .filter((f) => f.endsWith('.pid'))
        .map((f) => f.slice(0, -'.pid'.length))
    : [];
  await Promise.all(
    names.map(async (name) => {
      const pid = ourPid(name, runDir);
      if (pid) await stopProcess(name, pid);
      else log(`${name}: not running, or pid reused by a process we did not start (stale pid file removed)`);
      rmSync(pidFile(name, runDir), { force: true });
    }),
  );
  if (names.length === 0) log('nothing to stop (no pid files)');
}
