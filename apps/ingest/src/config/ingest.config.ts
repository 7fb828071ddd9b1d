import { z } from 'zod';
import { DEFAULT_EVENTS_PER_RECORD, TOPICS } from '@smartscale/contracts';
import { kafkaEnv, loadEnv, port } from '@smartscale/config';

export const INGEST_CONFIG = Symbol('INGEST_CONFIG');

/** One API key: the hex SHA-256 of the secret (the secret itself is never configured) and its services. */
export interface ApiKeyScope {
  sha256: string;
  /** '*' allows every service. */
  services: '*' | ReadonlySet<string>;
}

/**
 * `SMARTSCALE_API_KEYS=<sha256hex>:<service>|<service>,<sha256hex>:*`. Unset or empty turns auth off
 * (local development only). Hashes only, so that a leaked config does not leak a usable key.
 */
const apiKeys = z
  .string()
  .default('')
  .transform((s, ctx): ApiKeyScope[] =>
    s
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .flatMap((entry) => {
        const [hash, scope] = entry.split(':');
        if (!/^[0-9a-fA-F]{64}$/.test(hash ?? '') || !scope) {
          ctx.addIssue({ code: 'custom', message: `bad entry "${entry.slice(0, 12)}…": expected <sha256 hex>:<service>|<service> or <sha256 hex>:*` });
          return [];
        }
        return [{ sha256: hash.toLowerCase(), services: scope === '*' ? '*' : new Set(scope.split('|').filter(Boolean)) }];
      }),
  );

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const shape = {
  ...kafkaEnv,
  SMARTSCALE_INGEST_HOST: z.string().default('127.0.0.1'),
  SMARTSCALE_INGEST_PORT: port(3000),
  SMARTSCALE_INGEST_BODY_LIMIT_BYTES: positiveInt(5 * 1024 * 1024),
  /** Processes serving the port (node:cluster): one Node process uses one core. */
  SMARTSCALE_INGEST_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  SMARTSCALE_EVENTS_RETENTION_MS: positiveInt(7 * 24 * 60 * 60 * 1000),
  /** Where accepted events go: the events topic, or a benchmark's own topic so that its load never reaches the aggregators. */
  SMARTSCALE_EVENTS_TOPIC: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name').default(TOPICS.events),
  SMARTSCALE_API_KEYS: apiKeys,
  /** 0 = no rate limit. */
  SMARTSCALE_RATE_LIMIT_EVENTS_PER_S: z.coerce.number().nonnegative().default(0),
  SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES: positiveInt(64 * 1024 * 1024),
  /** A request whose events the broker has not acknowledged by then gets 503 (nothing claimed as stored). */
  SMARTSCALE_INGEST_PUBLISH_TIMEOUT_MS: positiveInt(5_000),
  /** Events of one service in one request share a record, up to this many (1 = a record per event). */
  SMARTSCALE_INGEST_EVENTS_PER_RECORD: positiveInt(DEFAULT_EVENTS_PER_RECORD),
  /** Idempotent producers per process, each with one produce request in flight: more overlap broker round trips. */
  SMARTSCALE_INGEST_PRODUCERS: z.coerce.number().int().min(1).max(16).default(2),
};

export interface IngestConfig {
  http: { host: string; port: number; bodyLimitBytes: number; maxInflightBytes: number; workers: number };
  kafka: { brokers: string[]; clientId: string };
  events: { topic: string; retentionMs: number; publishTimeoutMs: number; eventsPerRecord: number; producers: number };
  auth: { apiKeys: ApiKeyScope[]; rateLimitEventsPerSecond: number };
}

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const e = loadEnv(shape, env);
  return {
    http: {
      host: e.SMARTSCALE_INGEST_HOST,
      port: e.SMARTSCALE_INGEST_PORT,
      bodyLimitBytes: e.SMARTSCALE_INGEST_BODY_LIMIT_BYTES,
      maxInflightBytes: e.SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES,
      workers: e.SMARTSCALE_INGEST_WORKERS,
    },
    kafka: { brokers: e.SMARTSCALE_KAFKA_BROKERS, clientId: 'smartscale-ingest' },
    events: { topic: e.SMARTSCALE_EVENTS_TOPIC, retentionMs: e.SMARTSCALE_EVENTS_RETENTION_MS, publishTimeoutMs: e.SMARTSCALE_INGEST_PUBLISH_TIMEOUT_MS, eventsPerRecord: e.SMARTSCALE_INGEST_EVENTS_PER_RECORD, producers: e.SMARTSCALE_INGEST_PRODUCERS },
    auth: { apiKeys: e.SMARTSCALE_API_KEYS, rateLimitEventsPerSecond: e.SMARTSCALE_RATE_LIMIT_EVENTS_PER_S },
  };
}
