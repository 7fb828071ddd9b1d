import { gunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PROTOBUF_TYPE } from './otlp-paths';

/** A body the receiver cannot read, with the HTTP status it is answered with (a Status body, see otlp-http.ts). */
export class OtlpBodyError extends Error {
  constructor(
    readonly statusCode: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * application/x-protobuf, kept as bytes (decoded by the route, which knows the message type). gzip is
 * inflated under the same byte limit as the wire body, so a small bomb cannot expand without bound;
 * application/json (OTLP/JSON) goes through the events API's JSON parser, which does the same.
 */
export function registerProtobufParser(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.addContentTypeParser(PROTOBUF_TYPE, { parseAs: 'buffer' }, async (req: FastifyRequest, raw: Buffer) => inflate(req, raw, bodyLimitBytes));
}

async function inflate(req: FastifyRequest, raw: Buffer, limit: number): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip') throw new OtlpBodyError(415, `Content-Encoding "${encoding}" is not supported; use gzip or none`);
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: limit }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return reject(new OtlpBodyError(413, `body inflates to more than the ${limit}-byte limit`));
      reject(new OtlpBodyError(400, `body is not valid gzip: ${err.message}`));
    });
  });
}
