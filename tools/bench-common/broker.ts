import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as infra from '../infra';

export { infra };

/** The checkout's root, from the sources or from their build under dist/. */
export const REPO = infra.repoRoot();

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
