import { gunzip } from 'node:zlib';
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
 * Replaces Fastify's parsers with exactly the two the events API speaks, so any other Content-Type is
 * answered 415 by Fastify itself, before a byte of it is buffered. `bodyLimit` bounds the bytes on the
 * wire (413 from Fastify); the same limit bounds a gzip body after inflation, so a small bomb cannot
 * expand without bound.
 */
export function registerEventBodyParsers(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(JSON_TYPE, { parseAs: 'buffer' }, async (req: FastifyRequest, raw: Buffer) => {
    const text = await decode(req, raw, bodyLimitBytes);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw bodyError(400, 'INVALID_JSON', `body is not valid JSON: ${(err as Error).message}`);
    }
  });
  fastify.addContentTypeParser(NDJSON_TYPE, { parseAs: 'buffer' }, async (req: FastifyRequest, raw: Buffer) =>
    parseNdjson(await decode(req, raw, bodyLimitBytes)),
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

async function decode(req: FastifyRequest, raw: Buffer, limit: number): Promise<string> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === '') return raw.toString('utf8');
  if (encoding !== 'gzip') throw bodyError(415, 'UNSUPPORTED_ENCODING', `Content-Encoding "${encoding}" is not supported; use gzip or none`);
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: limit }, (err, out) => {
      if (!err) return resolve(out.toString('utf8'));
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return reject(bodyError(413, 'BODY_TOO_LARGE', `body inflates to more than the ${limit}-byte limit`));
      }
      reject(bodyError(400, 'INVALID_GZIP', `body is not valid gzip: ${err.message}`));
    });
  });
}
