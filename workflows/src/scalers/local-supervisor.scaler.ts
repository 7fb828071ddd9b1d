import { ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Scaler, ScalerMisconfigured } from './scaler';

export interface LocalSupervisorOptions {
  targetId: string;
  /** The aggregator entry script; each replica is `node <entry>` in the same consumer group. */
  entry: string;
  stateDir: string;
  /** Replicas to run when no state file exists yet (the policy's minimum). */
  initialReplicas: number;
  env: NodeJS.ProcessEnv;
}

interface PersistedState {
  replicas: number;
  appliedKeys: string[];
}

const KEYS_KEPT = 200;
const STOP_TIMEOUT_MS = 15_000;
const RESTART_DELAY_MS = 2_000;

/**
 * The local scaler: runs N aggregator processes as one consumer group, so that scaling is real on one
 * machine. The desired count and the applied idempotency keys survive a worker restart in a state file.
 */
export class LocalSupervisorScaler implements Scaler {
  private readonly logger: Logger;
  private readonly children: ChildProcess[] = [];
  private readonly statePath: string;
  private state: PersistedState;
  private closing = false;

  constructor(private readonly options: LocalSupervisorOptions) {
    this.logger = new Logger(`LocalSupervisor:${options.targetId}`);
    if (!existsSync(options.entry)) throw new ScalerMisconfigured(`aggregator entry ${options.entry} does not exist (run the build)`);
    mkdirSync(options.stateDir, { recursive: true });
    this.statePath = join(options.stateDir, `scaler-${options.targetId}.json`);
    this.state = this.load();
  }

  /** Brings the running processes to the persisted count, e.g. after a worker restart. */
  async start(): Promise<void> {
    await this.reconcile();
  }

  async current(): Promise<number> {
    return this.children.length;
  }

  async apply(replicas: number, idempotencyKey: string): Promise<number> {
    if (!Number.isInteger(replicas) || replicas < 0) throw new ScalerMisconfigured(`invalid replica count ${replicas}`);
    if (!this.state.appliedKeys.includes(idempotencyKey)) {
      this.state = { replicas, appliedKeys: [...this.state.appliedKeys, idempotencyKey].slice(-KEYS_KEPT) };
      this.save();
      this.logger.log(`scaling to ${replicas} replicas (${idempotencyKey})`);
    }
    await this.reconcile();
    return this.children.length;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.children.splice(0).map((c) => stop(c)));
  }

  /** The target was removed: stop every replica and forget the state, so an id added again starts afresh. */
  async retire(): Promise<void> {
    await this.close();
    rmSync(this.statePath, { force: true });
    this.logger.log('target removed: replicas stopped, state file deleted');
  }

  private async reconcile(): Promise<void> {
    while (this.children.length < this.state.replicas) this.spawnReplica(this.children.length);
    const extra = this.children.splice(this.state.replicas);
    await Promise.all(extra.map((c) => stop(c)));
  }

  private spawnReplica(index: number): void {
    const instance = `${this.options.targetId}-aggregator-${index}`;
    const log = createWriteStream(join(this.options.stateDir, `${instance}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [this.options.entry], {
      env: { ...this.options.env, SMARTSCALE_AGGREGATOR_INSTANCE: instance },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    child.once('exit', (code, signal) => this.onExit(child, instance, code, signal));
    this.children.push(child);
  }

  /** A replica that dies on its own is replaced after a short delay; one stopped by us is not. */
  private onExit(child: ChildProcess, instance: string, code: number | null, signal: string | null): void {
    const i = this.children.indexOf(child);
    if (i < 0 || this.closing) return;
    this.children.splice(i, 1);
    this.logger.warn(`${instance} exited (code ${code}, signal ${signal}); restarting in ${RESTART_DELAY_MS} ms`);
    setTimeout(() => void this.reconcile().catch((err: unknown) => this.logger.error((err as Error).message)), RESTART_DELAY_MS).unref();
  }

  private load(): PersistedState {
    const initial = { replicas: this.options.initialReplicas, appliedKeys: [] };
    if (!existsSync(this.statePath)) return initial;
    try {
      const state = JSON.parse(readFileSync(this.statePath, 'utf8')) as PersistedState;
      if (Number.isInteger(state.replicas) && state.replicas >= 0 && Array.isArray(state.appliedKeys)) return state;
      throw new Error('not a {replicas, appliedKeys} object');
    } catch (err) {
      this.logger.warn(`state file ${this.statePath} unreadable (${(err as Error).message}): starting from ${initial.replicas} replicas`);
      return initial;
    }
  }

  /** Crash-safe: a reader sees the old file or the new one, never half of one (write a temp file, fsync, rename). */
  private save(): void {
    writeFileAtomic(this.statePath, JSON.stringify(this.state));
  }
}

/** SIGTERM lets the replica leave the group and commit; SIGKILL only if it hangs. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Write to `<path>.tmp`, fsync it, rename over `path`, fsync the directory so the rename itself survives a power cut. */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
