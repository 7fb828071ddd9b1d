import { execFile } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { withAdmin } from '@smartscale/kafka';
import { paths } from './paths';

export { httpOk } from './util';

/*
 * Readiness is always a real protocol check, polled against a deadline by the caller; never a fixed sleep.
 */

/** What a readiness check needs to know of the cluster: the brokers it lists. */
export type DescribeCluster = (brokers: string) => Promise<{ brokers: unknown[] }>;

/**
 * One Metadata round trip through kafkajs's admin client. Not createKafka (libs/kafka): its retries (8,
 * seconds of backoff) suit an app riding out a blip, while a readiness poll wants one quick answer per
 * attempt and says nothing in the log about a broker that is not up yet.
 */
export const describeCluster: DescribeCluster = (brokers) => {
  const kafka = new Kafka({
    brokers: [brokers],
    clientId: 'smartscale-infra',
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  return withAdmin(kafka, (admin) => admin.describeCluster());
};

/** True when a Kafka broker answers Metadata on host:port and lists at least one broker. */
export async function kafkaReady(host: string, port: number, describe: DescribeCluster = describeCluster): Promise<boolean> {
  try {
    const cluster = await describe(`${host}:${port}`);
    return cluster.brokers.length >= 1;
  } catch {
    return false;
  }
}

/** Output of a finished command; a failure carries both streams too (the CLI explains itself there). */
export type CliError = Error & { stdout?: string; stderr?: string };

/** Runs the pinned Temporal CLI ignoring TEMPORAL_* env vars and profile files: they may point elsewhere (TLS, cloud). */
export function temporalCli(args: string[], timeout: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      paths.temporalBin,
      [...args, '--disable-config-env', '--disable-config-file'],
      { timeout, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(err, { stdout, stderr }) as CliError);
        else resolve({ stdout, stderr });
      },
    );
  });
}

/** True when the Temporal frontend at address reports SERVING (through the pinned CLI). */
export async function temporalReady(address: string): Promise<boolean> {
  try {
    const { stdout } = await temporalCli(['operator', 'cluster', 'health', '--address', address], 5000);
    return /SERVING/.test(stdout) && !/NOT_SERVING/.test(stdout);
  } catch {
    return false;
  }
}
