import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../bench-common/broker';
import { freePort } from '@smartscale/testing';

/** The ingest app as it is deployed (dist/apps/ingest/src/main.js), in its own process tree. */
export interface IngestProcess {
  /** http://127.0.0.1:<port> */
  base: string;
  /** The events endpoint. */
  url: string;
  /** The cluster's primary (or the only process). */
  pid: number;
  /** The primary's workers now (empty with one worker: the primary serves). */
  workerPids(): number[];
  /** RSS of the whole tree (the cluster's primary and workers), and the JS heap in use summed over the workers. */
  memory(): Promise<{ rss_mb: number; heap_used_mb: number }>;
  /** SIGTERM, then SIGKILL after 20 s. */
  stop(): Promise<void>;
  /** The primary's exit code (or signal). */
  exited: Promise<number | string>;
}

/** `nodeArgs` go to node before the script (a cluster's workers inherit them), e.g. V8 heap flags. */
export async function startIngestProcess(
  env: Record<string, string>,
  log: (line: string) => void = () => undefined,
  nodeArgs: string[] = [],
): Promise<IngestProcess> {
  const port = env.SMARTSCALE_INGEST_PORT ? Number(env.SMARTSCALE_INGEST_PORT) : await freePort();
  const child = spawn(process.execPath, [...nodeArgs, join(REPO, 'dist', 'apps', 'ingest', 'src', 'main.js')], {
    env: { ...process.env, ...env, SMARTSCALE_INGEST_HOST: '127.0.0.1', SMARTSCALE_INGEST_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The app's own lines go to stderr: with --json, stdout holds only the result.
  child.stdout!.on('data', (d: Buffer) => process.stderr.write(d));
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  const base = `http://127.0.0.1:${port}`;
  await untilLive(base, child);
  log(`ingest  ${base} (pid ${child.pid}, ${env.SMARTSCALE_INGEST_WORKERS ?? '1'} worker(s))`);
  return {
    base,
    url: `${base}/v1/events`,
    pid: child.pid!,
    workerPids: () => processTree(child.pid!).filter((pid) => pid !== child.pid),
    memory: async () => ({
      rss_mb: Math.round(rssKb(processTree(child.pid!)) / 1024),
      heap_used_mb: Math.round((await heapUsedBytes(base)) / 1048576),
    }),
    stop: () => stop(child),
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))),
  };
}

async function untilLive(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ingest exited with ${child.exitCode} before it answered`);
    const live = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (live) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  throw new Error('ingest did not become ready within 60 s');
}

/** A process and its descendants, from /proc (Linux). */
function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // the command may hold spaces and parentheses: fields start after the last ")"
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

function rssKb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kb;
}

/** The app's own gauge, summed over workers by its /metrics. */
async function heapUsedBytes(base: string): Promise<number> {
  const text = await fetch(`${base}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  let sum = 0;
  for (const m of text.matchAll(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)$/gm)) sum += Number(m[1]);
  return sum;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
