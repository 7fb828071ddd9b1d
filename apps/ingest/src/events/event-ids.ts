import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { RAW_BODY, WithRawBody } from './body-parsers';
import { admissionOf } from './ingest-http';

/**
 * The seed of the ids of the events of a request sent without one: a digest of who sent it (the API
 * key, or "anonymous") and the body as read (inflated). A client that retries the same body after a
 * 503 or a lost answer gets the same ids, so what the aggregator counts once stays counted once. The
 * price: two requests with byte-identical bodies from the same key are taken for one event sent twice
 * (docs/hostile/ingest.md). One hash per request, not per event: the body is hashed while still hot.
 */
export function idSeedOf(req: FastifyRequest): (() => string) | undefined {
  const raw = (req as WithRawBody)[RAW_BODY];
  if (raw === undefined) return undefined;
  const who = admissionOf(req)?.keyId ?? 'anonymous';
  return () => createHash('sha256').update(who).update('\0').update(raw).digest('base64url').slice(0, 22);
}
