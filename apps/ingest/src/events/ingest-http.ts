import { HttpException, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';
import { OTLP_CONTENT_TYPES, OTLP_METRICS_PATH, OTLP_TRACES_PATH } from '../otlp/otlp-paths';
import { ApiKeys } from './api-keys';
import { JSON_TYPE, NDJSON_TYPE, registerEventBodyParsers } from './body-parsers';
import { InflightBudget } from './inflight-budget';
import { IngestMetrics, RequestRejection } from './ingest-metrics';

export const EVENTS_PATH = '/v1/events';
/**
 * Routes whose bodies are events: every check that runs before the body is read (API key, Content-Type,
 * declared length, in-flight budget) applies to a POST on any of them. A new receiver (OTLP) adds its
 * paths here rather than re-implementing the door.
 */
export const INGEST_PATHS: Set<string> = new Set([EVENTS_PATH, OTLP_TRACES_PATH, OTLP_METRICS_PATH]);
/**
 * Content-Types refused early (415 before the body is read) per ingest path. A path missing here has its
 * Content-Type judged by its own parser (e.g. OTLP's protobuf), the other checks still apply.
 */
export const INGEST_CONTENT_TYPES: Map<string, ReadonlySet<string>> = new Map([
  [EVENTS_PATH, new Set([JSON_TYPE, NDJSON_TYPE])],
  [OTLP_TRACES_PATH, OTLP_CONTENT_TYPES],
  [OTLP_METRICS_PATH, OTLP_CONTENT_TYPES],
]);
/** Seconds a client should wait before retrying when the API or the broker cannot take more. */
export const RETRY_AFTER_SECONDS = 2;

const RESERVED = Symbol('inflightBytes');
type Tracked = FastifyRequest & { [RESERVED]?: number };

const REJECTION_BY_STATUS: Record<number, RequestRejection> = { 400: 'malformed_body', 413: 'too_large', 415: 'unsupported_media_type' };

/**
 * What the events route needs from Fastify itself, below Nest: its body parsers, and the checks that
 * can and should run before the body is read (a guard runs after buffering it): API key, Content-Type,
 * declared length, in-flight budget. Runs from
 * IngestHttpSetup's init hook, after Nest registered its default parsers (which it replaces) and before
 * Fastify is ready (Fastify binds hooks to routes at ready).
 */
export function registerIngestHttp(fastify: FastifyInstance, deps: { bodyLimitBytes: number; budget: InflightBudget; metrics: IngestMetrics; keys: ApiKeys }): void {
  const { bodyLimitBytes, budget, metrics, keys } = deps;
  registerEventBodyParsers(fastify, bodyLimitBytes);

  fastify.addHook('onRequest', async (req: Tracked, reply: FastifyReply) => {
    if (req.method !== 'POST' || !INGEST_PATHS.has(req.routeOptions.url ?? '')) return;
    // A client without a valid key never gets its body read nor a share of the in-flight budget.
    const key = keys.check(req.headers);
    if (!key.ok) {
      metrics.rejectRequest(key.status === 401 ? 'unauthorized' : 'forbidden');
      return reply.code(key.status).send({ statusCode: key.status, error: key.status === 401 ? 'Unauthorized' : 'Forbidden', message: key.message });
    }
    // Fastify would refuse these too, but only with a generic message: say what is accepted instead.
    const refusal = refuseEarly(req, bodyLimitBytes);
    if (refusal) {
      metrics.rejectRequest(refusal.statusCode === 413 ? 'too_large' : 'unsupported_media_type');
      return reply.code(refusal.statusCode).send(refusal);
    }
    // Without a usable Content-Length (chunked upload), reserve the most the body may be.
    const declared = Number(req.headers['content-length']);
    const bytes = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, bodyLimitBytes) : bodyLimitBytes;
    if (!budget.tryAcquire(bytes)) {
      metrics.rejectRequest('overloaded');
      return reply
        .code(503)
        .header('Retry-After', String(RETRY_AFTER_SECONDS))
        .send({ statusCode: 503, error: 'Service Unavailable', message: 'ingest is at its in-flight limit; retry after Retry-After', retryAfterSeconds: RETRY_AFTER_SECONDS });
    }
    req[RESERVED] = bytes;
  });
  // Released once, on whichever comes first. An abort mid-produce releases early: the bound is then
  // briefly loose by one body, which is better than a leak that would close the API for good.
  const release = async (req: Tracked): Promise<void> => {
    const bytes = req[RESERVED];
    if (bytes === undefined) return;
    req[RESERVED] = undefined;
    budget.release(bytes);
  };
  fastify.addHook('onResponse', release);
  fastify.addHook('onRequestAbort', release);

  fastify.addHook('onError', async (req, _reply, err: Error & { statusCode?: number }) => {
    const status = err instanceof HttpException ? err.getStatus() : (err.statusCode ?? 0);
    const reason = INGEST_PATHS.has(req.routeOptions.url ?? '') ? REJECTION_BY_STATUS[status] : undefined;
    if (reason) metrics.rejectRequest(reason);
  });
}

/** 415 or 413 decided from the headers alone, before a byte of the body is read. */
function refuseEarly(req: FastifyRequest, bodyLimitBytes: number): { statusCode: 413 | 415; error: string; message: string } | null {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const accepted = INGEST_CONTENT_TYPES.get(req.routeOptions.url ?? '');
  if (accepted && type !== '' && !accepted.has(type)) {
    return { statusCode: 415, error: 'Unsupported Media Type', message: `Content-Type "${type}" is not accepted here: send ${[...accepted].join(' or ')}` };
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > bodyLimitBytes) {
    return { statusCode: 413, error: 'Payload Too Large', message: `body of ${declared} bytes is over the ${bodyLimitBytes}-byte limit: split the batch` };
  }
  return null;
}

/** Wires registerIngestHttp into the app's Fastify instance, in the app and in specs alike. */
@Injectable()
export class IngestHttpSetup implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    private readonly budget: InflightBudget,
    private readonly metrics: IngestMetrics,
    private readonly keys: ApiKeys,
  ) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter.getInstance<FastifyInstance>();
    registerIngestHttp(fastify, { bodyLimitBytes: this.config.http.bodyLimitBytes, budget: this.budget, metrics: this.metrics, keys: this.keys });
  }
}
