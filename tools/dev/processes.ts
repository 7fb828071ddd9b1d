// The child processes of `npm start` and `npm test`: commands run to completion, and long-running apps
// in their own process groups. Logging, polling and the checkout's root come from tools/infra.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { type InfraConfig, logger, repoRoot } from '../infra';

export const log = logger('smartscale');

/** Runs a command in the checkout, inheriting stdio; throws on a non-zero exit. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const r = spawnSync(cmd, args, { cwd: repoRoot(), stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

/** The environment every app and test reads, derived from the infra's configured ports. */
export function appEnv(infraConfig: InfraConfig): NodeJS.ProcessEnv {
  return {
    SMARTSCALE_KAFKA_BROKERS: infraConfig.kafka.brokers,
    SMARTSCALE_TEMPORAL_ADDRESS: infraConfig.temporal.address,
    SMARTSCALE_TEMPORAL_UI_URL: infraConfig.temporal.uiUrl,
    SMARTSCALE_ROOT: repoRoot(),
  };
}

/**
 * Starts a long-running Node child in its own process group (so that stopping it also stops what it
 * spawned, such as the local scaler's aggregator replicas) with its output in `<logDir>/<name>.log`.
 */
export function startDetached(name: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): ChildProcess {
  const out = openSync(join(logDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, args, {
    cwd: repoRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  closeSync(out);
  return child;
}

/** SIGTERM to the child's process group, SIGKILL after a deadline; resolves when it has exited. */
export function stopGroup(child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const kill = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-pid, signal);
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
