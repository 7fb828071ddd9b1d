import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The checkout's root, from the sources or from their build under dist/. */
export const REPO = resolve(__dirname, '..', '..', ...(__dirname.includes(join('dist', 'tools')) ? ['..'] : []));

export interface Infra {
  up(): Promise<unknown>;
  config(): { kafka: { host: string; port: number; brokers: string }; temporal: { address: string } };
  kafkaReady(host: string, port: number): Promise<boolean>;
  paths: { kafkaToolsLibs: string; root: string };
}

// tools/infra is plain CommonJS outside the build; loaded at run time from the checkout.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const infra = require(join(REPO, 'tools', 'infra', 'infra.js')) as Infra;

/**
 * Runs one of Kafka's own tools (ProducerPerformance, ConsumerPerformance…) from the jars tools/infra
 * installed, and resolves with everything it printed; a non-zero exit rejects with the output's tail.
 */
export function runKafkaTool(mainClass: string, args: string[]): Promise<string> {
  const argv = ['-Xmx512m', '-cp', join(infra.paths.kafkaToolsLibs, '*'), `org.apache.kafka.tools.${mainClass}`, ...args];
  return new Promise((ok, fail) => {
    const child = spawn('java', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? ok(out) : fail(new Error(`${mainClass} exited with ${code}:\n${out.slice(-2000)}`))));
  });
}

/** A benchmark's result: one JSON line with --json (for scripts), else indented for a person. */
export function printResult(result: unknown, json: boolean | undefined, log: (line: string) => void): void {
  if (json) console.log(JSON.stringify(result));
  else log(JSON.stringify(result, null, 2));
}
