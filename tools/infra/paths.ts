import { join } from 'node:path';
import { repoRoot } from './util';

/** Everything the broker and Temporal use lives under <repo>/.smartscale/ (git-ignored). */
export interface InfraPaths {
  repo: string;
  root: string;
  kafka: string;
  kafkaM2: string;
  kafkaLibs: string;
  /** Kafka's own benchmark tools (ProducerPerformance…), on a classpath apart from the broker's. */
  kafkaToolsLibs: string;
  kafkaServerProperties: string;
  kafkaLog4j: string;
  kafkaData: string;
  kafkaLogs: string;
  temporal: string;
  temporalBin: string;
  temporalDb: string;
  temporalTestServer: string;
  temporalTestServerBin: string;
  /** Pid files, logs and the infra lock of the processes this checkout started. */
  run: string;
  searchAttributes: string;
}

export function infraPaths(repo: string = repoRoot()): InfraPaths {
  const root = join(repo, '.smartscale');
  const kafka = join(root, 'kafka');
  const temporal = join(root, 'temporal');
  const temporalTestServer = join(root, 'temporal-test-server');
  return Object.freeze({
    repo,
    root,
    kafka,
    kafkaM2: join(kafka, 'm2'),
    kafkaLibs: join(kafka, 'libs'),
    kafkaToolsLibs: join(kafka, 'tools-libs'),
    kafkaServerProperties: join(kafka, 'server.properties'),
    kafkaLog4j: join(kafka, 'log4j2.properties'),
    kafkaData: join(kafka, 'data'),
    kafkaLogs: join(kafka, 'logs'),
    temporal,
    temporalBin: join(temporal, 'bin', 'temporal'),
    temporalDb: join(temporal, 'dev.db'),
    temporalTestServer,
    temporalTestServerBin: join(temporalTestServer, 'bin', 'temporal-test-server'),
    run: join(root, 'run'),
    // libs/contracts is the single source of truth for workflow search attributes.
    searchAttributes: join(repo, 'libs', 'contracts', 'src', 'search-attributes.json'),
  });
}

export const paths: InfraPaths = infraPaths();
