import { z } from 'zod';
import { DEFAULT_EVENTS_PER_RECORD, EVENT_LIMITS, TOPICS } from '@smartscale/contracts';
import { kafkaEnv, kafkaSecurity, KafkaSecurity, loadEnv, port } from '@smartscale/config';

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
          ctx.addIssue({
            code: 'custom',
            message: `bad entry "${entry.slice(0, 12)}…": expected <sha256 hex>:<service>|<service> or <sha256 hex>:*`,
          });
          return [];
        }
        return [{ sha256: hash.toLowerCase(), services: scope === '*' ? '*' : new Set(scope.split('|').filter(Boolean)) }];
      }),
  );

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/** The environment this app reads (docs/configuration.md is generated from it: npm run docs:config). */
export const INGEST_ENV_SHAPE = {
  ...kafkaEnv,
  SMARTSCALE_INGEST_HOST: z.string().default('127.0.0.1'),
  SMARTSCALE_INGEST_PORT: port(3000),
  SMARTSCALE_INGEST_BODY_LIMIT_BYTES: positiveInt(5 * 1024 * 1024),
  /** Processes serving the port (node:cluster): one Node process uses one core. */
  SMARTSCALE_INGEST_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  SMARTSCALE_EVENTS_RETENTION_MS: positiveInt(7 * 24 * 60 * 60 * 1000),
  /** Where accepted events go: the events topic, or a benchmark's own topic so that its load never reaches the aggregators. */
  SMARTSCALE_EVENTS_TOPIC: z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name')
    .default(TOPICS.events),
  SMARTSCALE_API_KEYS: apiKeys,
  /** Per API key, a token bucket split across the workers; over it 429 with Retry-After. 0: no limit. */
  SMARTSCALE_RATE_LIMIT_EVENTS_PER_S: z.coerce.number().nonnegative().default(0),
  SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES: positiveInt(64 * 1024 * 1024),
  /** A request whose events the broker has not acknowledged by then gets 503 (nothing claimed as stored). */
  SMARTSCALE_INGEST_PUBLISH_TIMEOUT_MS: positiveInt(5_000),
  /** Events of one service in one request share a record, up to this many (1 = a record per event). */
  SMARTSCALE_INGEST_EVENTS_PER_RECORD: positiveInt(DEFAULT_EVENTS_PER_RECORD),
  /** Idempotent producers per process, each with one produce request in flight: more overlap broker round trips. */
  SMARTSCALE_INGEST_PRODUCERS: z.coerce.number().int().min(1).max(16).default(2),
  /**
   * How far ahead of this server's clock an event time may be (400 past it). The aggregator clamps its
   * stream time with the same bound, so one client's clock cannot close other services' windows.
   */
  SMARTSCALE_MAX_FUTURE_SKEW_MS: z.coerce.number().int().nonnegative().default(EVENT_LIMITS.maxFutureSkewMs),
  /** How old an event time may be (400 past it); at most the events topic's retention, which also bounds it when unset. */
  SMARTSCALE_INGEST_MAX_EVENT_AGE_MS: z.coerce.number().int().positive().optional(),
  /** Request headers not all received by then: the connection is closed (slow-loris). */
  SMARTSCALE_INGEST_HEADERS_TIMEOUT_MS: positiveInt(10_000),
  /** The whole request (headers and body) not received by then: 408 and the connection is closed. */
  SMARTSCALE_INGEST_REQUEST_TIMEOUT_MS: positiveInt(30_000),
  /** A connection with no bytes moving for this long is closed (a stalled upload, an idle socket). */
  SMARTSCALE_INGEST_IDLE_TIMEOUT_MS: positiveInt(30_000),
  /** An idle keep-alive connection between requests is closed after this long. */
  SMARTSCALE_INGEST_KEEP_ALIVE_TIMEOUT_MS: positiveInt(5_000),
  /**
   * Requests of one client (its API key, or its address when auth is off) being received or stored at
   * once; past it 429. One HTTP/1.1 connection carries one request at a time.
   */
  SMARTSCALE_INGEST_MAX_INFLIGHT_REQUESTS_PER_CLIENT: positiveInt(512),
  /** Body bytes of one client held at once (charged as they arrive, inflated gzip included); past it 503. */
  SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES_PER_CLIENT: positiveInt(32 * 1024 * 1024),
  /** Distinct services one client may send events for within the service window; past it 429. */
  SMARTSCALE_INGEST_MAX_SERVICES_PER_CLIENT: positiveInt(500),
  /** Distinct services all clients together may send within the service window; past it 429. */
  SMARTSCALE_INGEST_MAX_SERVICES: positiveInt(2_000),
  /** A service not sent for this long leaves both service caps. */
  SMARTSCALE_INGEST_SERVICE_WINDOW_MS: positiveInt(60 * 60 * 1000),
  /**
   * Serve on a non-loopback host without API keys. Events drive scaling decisions, so by default ingest
   * refuses to start reachable from the network with auth off.
   */
  SMARTSCALE_INGEST_ALLOW_ANONYMOUS: flag,
};

/** 127.0.0.0/8, ::1 and localhost: the only hosts ingest serves without API keys unless told otherwise. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

export interface IngestConfig {
  http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    maxInflightBytes: number;
    workers: number;
    timeouts: { headersMs: number; requestMs: number; idleMs: number; keepAliveMs: number };
    perClient: { maxInflightRequests: number; maxInflightBytes: number };
  };
  kafka: { brokers: string[]; clientId: string; security: KafkaSecurity };
  events: {
    topic: string;
    retentionMs: number;
    publishTimeoutMs: number;
    eventsPerRecord: number;
    producers: number;
    maxFutureSkewMs: number;
    maxAgeMs: number;
  };
  services: { maxPerClient: number; maxTotal: number; windowMs: number };
  auth: { apiKeys: ApiKeyScope[]; rateLimitEventsPerSecond: number; allowAnonymous: boolean };
}

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const e = loadEnv(INGEST_ENV_SHAPE, env);
  if (e.SMARTSCALE_API_KEYS.length === 0 && !isLoopback(e.SMARTSCALE_INGEST_HOST) && !e.SMARTSCALE_INGEST_ALLOW_ANONYMOUS) {
    throw new Error(
      `invalid configuration:\n  SMARTSCALE_API_KEYS: ingest would serve ${e.SMARTSCALE_INGEST_HOST} without API keys, so anyone who reaches it could steer scaling. ` +
        'Set SMARTSCALE_API_KEYS (<sha256 hex of a key>:<service>|<service> or :*), bind SMARTSCALE_INGEST_HOST to a loopback address, ' +
        'or set SMARTSCALE_INGEST_ALLOW_ANONYMOUS=true to accept anonymous events on purpose.',
    );
  }
  return {
    http: {
      host: e.SMARTSCALE_INGEST_HOST,
      port: e.SMARTSCALE_INGEST_PORT,
      bodyLimitBytes: e.SMARTSCALE_INGEST_BODY_LIMIT_BYTES,
      maxInflightBytes: e.SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES,
      workers: e.SMARTSCALE_INGEST_WORKERS,
      timeouts: {
        headersMs: e.SMARTSCALE_INGEST_HEADERS_TIMEOUT_MS,
        requestMs: e.SMARTSCALE_INGEST_REQUEST_TIMEOUT_MS,
        idleMs: e.SMARTSCALE_INGEST_IDLE_TIMEOUT_MS,
        keepAliveMs: e.SMARTSCALE_INGEST_KEEP_ALIVE_TIMEOUT_MS,
      },
      perClient: {
        maxInflightRequests: e.SMARTSCALE_INGEST_MAX_INFLIGHT_REQUESTS_PER_CLIENT,
        maxInflightBytes: e.SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES_PER_CLIENT,
      },
    },
    kafka: { brokers: e.SMARTSCALE_KAFKA_BROKERS, clientId: 'smartscale-ingest', security: kafkaSecurity(e) },
    events: {
      topic: e.SMARTSCALE_EVENTS_TOPIC,
      retentionMs: e.SMARTSCALE_EVENTS_RETENTION_MS,
      publishTimeoutMs: e.SMARTSCALE_INGEST_PUBLISH_TIMEOUT_MS,
      eventsPerRecord: e.SMARTSCALE_INGEST_EVENTS_PER_RECORD,
      producers: e.SMARTSCALE_INGEST_PRODUCERS,
      maxFutureSkewMs: e.SMARTSCALE_MAX_FUTURE_SKEW_MS,
      maxAgeMs: Math.min(e.SMARTSCALE_INGEST_MAX_EVENT_AGE_MS ?? e.SMARTSCALE_EVENTS_RETENTION_MS, e.SMARTSCALE_EVENTS_RETENTION_MS),
    },
    services: {
      maxPerClient: e.SMARTSCALE_INGEST_MAX_SERVICES_PER_CLIENT,
      maxTotal: e.SMARTSCALE_INGEST_MAX_SERVICES,
      windowMs: e.SMARTSCALE_INGEST_SERVICE_WINDOW_MS,
    },
    auth: {
      apiKeys: e.SMARTSCALE_API_KEYS,
      rateLimitEventsPerSecond: e.SMARTSCALE_RATE_LIMIT_EVENTS_PER_S,
      allowAnonymous: e.SMARTSCALE_INGEST_ALLOW_ANONYMOUS,
    },
  };
}
