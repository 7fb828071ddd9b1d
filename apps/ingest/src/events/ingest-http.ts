import { HttpException, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';
import { OTLP_CONTENT_TYPES, OTLP_METRICS_PATH, OTLP_TRACES_PATH } from '../otlp/otlp-paths';
import { ApiKeys } from './api-keys';
import { JSON_TYPE, meterBody, NDJSON_TYPE, registerEventBodyParsers } from './body-parsers';
import { Admission, InflightBudget } from './inflight-budget';
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

const ADMISSION = Symbol('admission');
const REPLY = Symbol('reply');
type Tracked = FastifyRequest & { [ADMISSION]?: Admission; [REPLY]?: FastifyReply };

const REJECTION_BY_STATUS: Record<number, RequestRejection> = {
  400: 'malformed_body',
  408: 'timed_out',
  413: 'too_large',
  415: 'unsupported_media_type',
};

/** This request's slot in the in-flight budget (undefined before the pre-body checks admitted it). */
export const admissionOf = (req: FastifyRequest): Admission | undefined => (req as Tracked)[ADMISSION];

/**
 * The budget is per API key, or per client address when auth is off (every client is then the same
 * anonymous key): one client cannot hold the share of all the others.
 */
function clientIdOf(req: FastifyRequest, keyId: string, anonymous: boolean): string {
  return anonymous ? `addr:${req.socket.remoteAddress ?? 'unknown'}` : keyId;
}

/**
 * What the ingest routes need from Fastify itself, below Nest: their body parsers, and the checks that
 * can and should run before the body is read (a guard runs after buffering it): API key, Content-Type,
 * declared length, a slot among the client's requests in flight. Bytes are charged to the in-flight
 * budget by the parsers as they arrive. Runs from IngestHttpSetup's init hook, after Nest registered its
 * default parsers (which it replaces) and before Fastify is ready (Fastify binds hooks to routes at ready).
 */
export function registerIngestHttp(
  fastify: FastifyInstance,
  deps: { bodyLimitBytes: number; budget: InflightBudget; metrics: IngestMetrics; keys: ApiKeys },
): void {
  const { bodyLimitBytes, budget, metrics, keys } = deps;
  registerEventBodyParsers(fastify, bodyLimitBytes);
  const meter = (req: Tracked, bytes: number): Error | null => {
    const admission = req[ADMISSION];
    const refusal = admission ? budget.charge(admission, bytes) : null;
    if (!refusal) return null;
    // the error handler keeps headers already set on the reply
    void req[REPLY]?.header('Retry-After', String(RETRY_AFTER_SECONDS)).header('Connection', 'close');
    return new BudgetRefusal(refusal);
  };

  fastify.addHook('onRequest', async (req: Tracked, reply: FastifyReply) => {
    if (req.method !== 'POST' || !INGEST_PATHS.has(req.routeOptions.url ?? '')) return;
    // A client without a valid key never gets its body read nor a share of the in-flight budget.
    const key = keys.check(req.headers);
    if (!key.ok) {
      metrics.rejectRequest(key.status === 401 ? 'unauthorized' : 'forbidden');
      return reply
        .code(key.status)
        .send({ statusCode: key.status, error: key.status === 401 ? 'Unauthorized' : 'Forbidden', message: key.message });
    }
    // Fastify would refuse these too, but only with a generic message: say what is accepted instead.
    const refusal = refuseEarly(req, bodyLimitBytes);
    if (refusal) {
      metrics.rejectRequest(refusal.statusCode === 413 ? 'too_large' : 'unsupported_media_type');
      return reply.code(refusal.statusCode).send(refusal);
    }
    const admission = budget.admit(clientIdOf(req, key.id, key.scope === null), key.id);
    if (!admission) return refuse(reply, metrics, new BudgetRefusal('client_requests'));
    // Released once, when the response is done or the connection is gone, whichever comes first. An
    // abort mid-produce releases early: the bound is then briefly loose by one body, which is better
    // than a leak that would close the API for good.
    reply.raw.once('close', () => budget.release(admission));
    req[ADMISSION] = admission;
    req[REPLY] = reply;
    meterBody(req, meter);
    // Nothing is reserved for a declared length (a stalled client would hold it), but a body that could
    // not fit now is refused before it is read.
    const declared = Number(req.headers['content-length']);
    const early = Number.isFinite(declared) && declared > 0 ? budget.wouldRefuse(admission, declared) : null;
    if (early) return refuse(reply, metrics, new BudgetRefusal(early));
  });

  fastify.addHook('onError', async (req, _reply, err: Error & { statusCode?: number }) => {
    if (!INGEST_PATHS.has(req.routeOptions.url ?? '')) return;
    if (err instanceof BudgetRefusal) return void metrics.rejectRequest(err.reason);
    const status = err instanceof HttpException ? err.getStatus() : (err.statusCode ?? 0);
    const reason = REJECTION_BY_STATUS[status];
    if (reason) metrics.rejectRequest(reason);
  });
}

/**
 * A request the in-flight budget cannot take: 503 when the server is full, 429 when this client holds
 * its own share. Thrown by a body parser mid-body, so it carries its headers: Retry-After, and
 * `Connection: close`, since the rest of the body will not be read.
 */
export class BudgetRefusal extends HttpException {
  constructor(readonly reason: 'overloaded' | 'client_overloaded' | 'client_requests') {
    const status = reason === 'overloaded' ? 503 : 429;
    const message =
      reason === 'overloaded'
        ? 'ingest is at its in-flight limit; retry after Retry-After'
        : reason === 'client_overloaded'
          ? 'this client holds its in-flight byte share (SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES_PER_CLIENT); retry after Retry-After'
          : 'this client has its most requests in flight (SMARTSCALE_INGEST_MAX_INFLIGHT_REQUESTS_PER_CLIENT); retry after Retry-After';
    super(
      {
        statusCode: status,
        error: status === 503 ? 'Service Unavailable' : 'Too Many Requests',
        message,
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      },
      status,
    );
  }
}

function refuse(reply: FastifyReply, metrics: IngestMetrics, refusal: BudgetRefusal): FastifyReply {
  metrics.rejectRequest(refusal.reason);
  return reply
    .code(refusal.getStatus())
    .header('Retry-After', String(RETRY_AFTER_SECONDS))
    .header('Connection', 'close')
    .send(refusal.getResponse());
}

/** 415 or 413 decided from the headers alone, before a byte of the body is read. */
function refuseEarly(req: FastifyRequest, bodyLimitBytes: number): { statusCode: 413 | 415; error: string; message: string } | null {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  const accepted = INGEST_CONTENT_TYPES.get(req.routeOptions.url ?? '');
  if (accepted && type !== '' && !accepted.has(type)) {
    return {
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: `Content-Type "${type}" is not accepted here: send ${[...accepted].join(' or ')}`,
    };
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > bodyLimitBytes) {
    return {
      statusCode: 413,
      error: 'Payload Too Large',
      message: `body of ${declared} bytes is over the ${bodyLimitBytes}-byte limit: split the batch`,
    };
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
    registerIngestHttp(fastify, {
      bodyLimitBytes: this.config.http.bodyLimitBytes,
      budget: this.budget,
      metrics: this.metrics,
      keys: this.keys,
    });
  }
}
