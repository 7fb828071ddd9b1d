import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';
import { registerProtobufParser } from './otlp-body-parser';
import { OTLP_PATHS } from './otlp-paths';
import { encodingOf, statusResponse } from './otlp-responses';

/** Set on a request whose reply body is already an OTLP message (written by the controller). */
export const OTLP_ANSWERED = Symbol('otlpAnswered');
type Marked = FastifyRequest & { [OTLP_ANSWERED]?: boolean };

/**
 * The OTLP paths below Nest: the protobuf body parser, and one onSend hook that turns every 4xx/5xx on
 * them that is not already an OTLP answer (the shared API-key / 413 / 415 / in-flight refusals of
 * ingest-http.ts, Fastify's body errors, Nest's) into the spec's google.rpc.Status, in the request's
 * encoding, keeping the status code and Retry-After.
 */
export function registerOtlpHttp(fastify: FastifyInstance, bodyLimitBytes: number): void {
  registerProtobufParser(fastify, bodyLimitBytes);
  fastify.addHook('onSend', async (req: Marked, reply: FastifyReply, payload: unknown) => {
    if (reply.statusCode < 400 || req[OTLP_ANSWERED] || !OTLP_PATHS.has(req.routeOptions.url ?? '')) return payload;
    const encoded = statusResponse(reply.statusCode, messageOf(payload, reply.statusCode), encodingOf(req.headers['content-type']));
    void reply.header('content-type', encoded.contentType);
    return encoded.body;
  });
}

/** The message of a JSON error body (`{message}` from Nest, Fastify and ingest-http), else the status. */
function messageOf(payload: unknown, status: number): string {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
  try {
    const { message } = JSON.parse(text) as { message?: unknown };
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
  } catch {
    // not JSON: fall through
  }
  return `HTTP ${status}`;
}

/** Runs after EventsModule's IngestHttpSetup (an imported module's hooks run first), which replaces all parsers. */
@Injectable()
export class OtlpHttpSetup implements OnModuleInit {
  constructor(
    private readonly host: HttpAdapterHost,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
  ) {}

  onModuleInit(): void {
    registerOtlpHttp(this.host.httpAdapter.getInstance<FastifyInstance>(), this.config.http.bodyLimitBytes);
  }
}
