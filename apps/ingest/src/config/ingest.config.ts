import { z } from 'zod';
import { kafkaEnv, loadEnv, port } from '@smartscale/config';

export const INGEST_CONFIG = Symbol('INGEST_CONFIG');

const shape = {
  ...kafkaEnv,
  SMARTSCALE_INGEST_HOST: z.string().default('127.0.0.1'),
  SMARTSCALE_INGEST_PORT: port(3000),
  SMARTSCALE_INGEST_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(5 * 1024 * 1024),
};

export interface IngestConfig {
  http: { host: string; port: number; bodyLimitBytes: number };
  kafka: { brokers: string[]; clientId: string };
}

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const e = loadEnv(shape, env);
  return {
    http: { host: e.SMARTSCALE_INGEST_HOST, port: e.SMARTSCALE_INGEST_PORT, bodyLimitBytes: e.SMARTSCALE_INGEST_BODY_LIMIT_BYTES },
    kafka: { brokers: e.SMARTSCALE_KAFKA_BROKERS, clientId: 'smartscale-ingest' },
  };
}
