import { execFile, ExecFileOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { basename, dirname, join } from 'node:path';

/*
 * Helpers shared by the infra scripts and tools/dev: one log format, one sleep, one poll-until-ready.
 * Node built-ins only, so that importing them costs nothing.
 */

let cachedRoot: string | undefined;

/**
 * The checkout's root: the nearest directory above this file whose package.json is named "smartscale".
 * Walked up instead of counted from __dirname because this file runs both from source (Jest) and compiled
 * under dist/tools/infra/, which are at different depths.
 */
export function repoRoot(from: string = __dirname): string {
  if (from === __dirname && cachedRoot) return cachedRoot;
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'smartscale') {
      if (from === __dirname) cachedRoot = dir;
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json named "smartscale" above ${from}`);
  }
}

export type Log = (msg: string) => void;

/** A console logger whose lines start with `[prefix]`. */
export const logger =
  (prefix: string): Log =>
  (msg) =>
    console.log(`[${prefix}] ${msg}`);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds since t0 with one decimal and the unit, e.g. "12.3 s". */
export const secs = (t0: number): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

/** A file's trimmed text, or null when it does not exist. */
export const readText = (file: string): string | null => (existsSync(file) ? readFileSync(file, 'utf8').trim() : null);

export const lastLines = (text: string, n: number): string => text.split('\n').slice(-n).join('\n');

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Named in the error: "timed out after 30s waiting for <what>". */
  what?: string;
  /** Asked before every attempt; a returned reason (e.g. "its process exited") ends the wait at once. */
  abort?: () => string | false | null | undefined;
}

/**
 * Polls check until it returns a truthy value (returned) or the deadline passes (throws). A throwing
 * check counts as "not yet"; its last error is named in the timeout.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 250, what = 'condition', abort }: WaitOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: Error | undefined;
  for (;;) {
    const reason = abort?.();
    if (reason) throw new Error(`gave up waiting for ${what}: ${reason}`);
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err as Error;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const detail = lastError ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${detail}`);
    }
    await sleep(Math.min(intervalMs, left));
  }
}

/** True when url answers an HTTP GET with 200; false on any other status, error or timeout. */
export function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Polls url until it answers 200 (see waitFor for the options). */
export async function waitForHttp(url: string, options: WaitOptions = {}): Promise<void> {
  await waitFor(() => httpOk(url), { what: url, ...options });
}

/** Runs a command to completion; rejects with the tail of its output on a non-zero exit. */
export function runOk(cmd: string, args: string[], opts: ExecFileOptions = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...opts, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const out = `${stderr || ''}${stdout || ''}`.trim() || err.message;
      reject(new Error(`${basename(cmd)} ${args.slice(0, 4).join(' ')} ... failed:\n${lastLines(out, 30)}`));
    });
  });
}
