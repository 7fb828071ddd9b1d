import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readBody } from '../events/body-parsers';
import { PROTOBUF_TYPE } from './otlp-paths';

/**
 * application/x-protobuf, kept as bytes (decoded by the route, which knows the message type). Read
 * through the events API's metered reader, so an OTLP body is charged to the in-flight budget as it
 * arrives and as it inflates, under the same byte limit both ways (413), exactly like an events body;
 * application/json (OTLP/JSON) goes through the events API's JSON parser, which does the same.
 */
export function registerProtobufParser(fastify: FastifyInstance, bodyLimitBytes: number): void {
  fastify.addContentTypeParser(PROTOBUF_TYPE, async (req: FastifyRequest, payload: Readable) => readBody(req, payload, bodyLimitBytes));
}
