import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiKeyScope, INGEST_CONFIG, IngestConfig } from '../config/ingest.config';

export const API_KEY_HEADER = 'x-api-key';

export type KeyCheck = { ok: true; id: string; scope: ApiKeyScope | null } | { ok: false; status: 401 | 403; message: string };

/** Bucket id when auth is off: the rate limit then applies to all clients together. */
const ANONYMOUS = 'anonymous';

/**
 * The configured keys, by SHA-256 (the only form configured). Keys arrive as `X-API-Key: <key>` or
 * `Authorization: Bearer <key>`. With no keys configured, auth is off.
 */
@Injectable()
export class ApiKeys {
  private readonly keys: Map<string, ApiKeyScope>;

  constructor(@Inject(INGEST_CONFIG) config: IngestConfig) {
    this.keys = new Map(config.auth.apiKeys.map((k) => [k.sha256, k]));
  }

  check(headers: IncomingHttpHeaders): KeyCheck {
    if (this.keys.size === 0) return { ok: true, id: ANONYMOUS, scope: null };
    const key = presentedKey(headers);
    if (!key) return { ok: false, status: 401, message: 'missing API key: send "X-API-Key: <key>" or "Authorization: Bearer <key>"' };
    const hash = createHash('sha256').update(key).digest('hex');
    const scope = this.keys.get(hash);
    return scope ? { ok: true, id: hash, scope } : { ok: false, status: 403, message: 'unknown API key' };
  }
}

function presentedKey(headers: IncomingHttpHeaders): string | null {
  const header = headers[API_KEY_HEADER];
  if (typeof header === 'string' && header.length > 0) return header;
  const match = headers.authorization ? /^Bearer\s+(\S+)$/i.exec(headers.authorization) : null;
  return match ? match[1] : null;
}
