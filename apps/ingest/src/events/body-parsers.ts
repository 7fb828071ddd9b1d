import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const JSON_TYPE = 'application/json';
export const NDJSON_TYPE = 'application/x-ndjson';

/** An NDJSON line that is not JSON: kept in place so that its index is reported like any invalid event. */
export class MalformedLine {
  constructor(readonly message: string) {}
}

const BODY_ERRORS = {
  400: { error: 'Bad Request', Exception: BadRequestException },
  413: { error: 'Payload Too Large', Exception: PayloadTooLargeException },
  415: { error: 'Unsupported Media Type', Exception: UnsupportedMediaTypeException },
} as const;

/**
 * A body the events API cannot read. An HttpException (not a plain error) so that Nest's error handler
 * answers `{statusCode, error, code, message}` without logging a stack trace for a client's mistake.
 */
function bodyError(statusCode: keyof typeof BODY_ERRORS, code: string, message: string): Error {
  const { error, Exception } = BODY_ERRORS[statusCode];
  return new Exception({ statusCode, error, code, message });
}

/**
 * Charges bytes of a request's body as they arrive on the wire and again as they are inflated; returns
 * the error that answers the request when the bytes cannot be taken (the in-flight budget is full).
 */
export type BodyMeter = (req: FastifyRequest, bytes: number) => Error | null;

/** Where an ingest route's pre-body checks leave the request's meter (ingest-http.ts). */
export const BODY_METER = Symbol('bodyMeter');
type Metered = FastifyRequest & { [BODY_METER]?: BodyMeter };

/** Puts the meter the body readers charge on this request (done for every ingest path before its body is read). */
export function meterBody(req: FastifyRequest, meter: BodyMeter): void {
  (req as Metered)[BODY_METER] = meter;
}

/** The body bytes as read (gzip inflated): the seed of the ids of events sent without one. */
export const RAW_BODY = Symbol('rawBody');
export type WithRawBody = FastifyRequest & { [RAW_BODY]?: Buffer };

/**
 * Replaces Fastify's parsers with exactly the two the events API speaks, so any other Content-Type is
 * answered 415 by Fastify itself, before a byte of it is buffered. The body is read here rather than
 * by Fastify's buffering parser so that every chunk is charged to the in-flight budget as it arrives,
 * and every inflated chunk of a gzip body too: memory held is memory charged. `bodyLimitBytes` bounds
 * both the bytes on the wire and the inflated bytes (413), so a small bomb cannot expand without bound.
 */
export function registerEventBodyParsers(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(JSON_TYPE, async (req: FastifyRequest, payload: Readable) => {
    const text = (await readBody(req, payload, bodyLimitBytes)).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw bodyError(400, 'INVALID_JSON', `body is not valid JSON: ${(err as Error).message}`);
    }
  });
  fastify.addContentTypeParser(NDJSON_TYPE, async (req: FastifyRequest, payload: Readable) =>
    parseNdjson((await readBody(req, payload, bodyLimitBytes)).toString('utf8')),
  );
}

/** One JSON value per non-blank line; a bad line becomes a MalformedLine at its index. */
export function parseNdjson(text: string): unknown[] {
  const items: unknown[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      items.push(JSON.parse(line));
    } catch (err) {
      items.push(new MalformedLine(`line is not valid JSON: ${(err as Error).message}`));
    }
  }
  return items;
}

/**
 * Reads a request body whole (gzip inflated, under `limit` both ways), charging the request's meter for
 * every chunk as it arrives and as it inflates. Any ingest route's parser reads through this (an OTLP
 * protobuf parser too: `addContentTypeParser(type, (req, payload) => readBody(req, payload, limit))`),
 * so that no body is held without being charged. Refusals are HttpExceptions (400, 413, 415, 429, 503).
 */
export async function readBody(req: FastifyRequest, payload: Readable, limit: number): Promise<Buffer> {
  const meter = (req as Metered)[BODY_METER] ?? noMeter;
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .toLowerCase()
    .trim();
  if (encoding !== 'identity' && encoding !== '' && encoding !== 'gzip') {
    throw bodyError(415, 'UNSUPPORTED_ENCODING', `Content-Encoding "${encoding}" is not supported; use gzip or none`);
  }
  const tooLarge = (what: string) => () =>
    bodyError(413, 'BODY_TOO_LARGE', `body ${what} more than the ${limit}-byte limit: split the batch`);
  // a client gone mid-body is the client's doing: an HttpException, so it is not logged as a server error
  const aborted = (err: Error) => bodyError(400, 'BODY_ABORTED', `the body did not arrive whole: ${err.message}`);
  const wire = await collect(payload, limit, (n) => meter(req, n), tooLarge('is'), aborted);
  if (encoding !== 'gzip') return ((req as WithRawBody)[RAW_BODY] = wire);
  const gunzip = createGunzip();
  const inflated = collect(
    gunzip,
    limit,
    (n) => meter(req, n),
    tooLarge('inflates to'),
    (err) => bodyError(400, 'INVALID_GZIP', `body is not valid gzip: ${err.message}`),
    true,
  );
  gunzip.end(wire);
  return ((req as WithRawBody)[RAW_BODY] = await inflated);
}

const noMeter: BodyMeter = () => null;

/**
 * Reads a stream whole, charging each chunk before keeping it. On a refusal the stream is left paused
 * (a request body) or destroyed (an inflater), and the caller answers with `Connection: close`.
 */
function collect(
  stream: Readable,
  limit: number,
  charge: (bytes: number) => Error | null,
  tooLarge: () => Error,
  streamError: (err: Error) => Error,
  destroyOnRefusal = false,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      stream.removeListener('data', onData);
      if (err) {
        stream.pause();
        if (destroyOnRefusal) stream.destroy();
        return reject(err);
      }
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) return finish(tooLarge());
      const refused = charge(chunk.length);
      if (refused) return finish(refused);
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => finish(null));
    stream.once('error', (err: Error) => finish(streamError(err)));
    // a client that goes away mid-body: the request is over (the budget is released by its reply's close)
    stream.once('close', () => finish(streamError(new Error('the connection closed before the body ended'))));
  });
}
