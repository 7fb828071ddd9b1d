import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyScope } from '../config/ingest.config';
import { ApiKeys } from './api-keys';
import { IngestMetrics } from './ingest-metrics';
import { RateLimiter } from './rate-limiter';

export { API_KEY_HEADER } from './api-keys';

/**
 * 401 without a key, 403 for an unknown key or an event of a service outside the key's scope, 429 with
 * Retry-After past the key's rate. The key itself is also checked before the body is read (see
 * ingest-http.ts); the scope and the cost in events need the body, so they are checked here.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeys,
    private readonly limiter: RateLimiter,
    private readonly metrics: IngestMetrics,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const items = Array.isArray(req.body) ? (req.body as unknown[]) : [req.body];
    const key = this.keys.check(req.headers);
    if (!key.ok) {
      this.metrics.rejectRequest(key.status === 401 ? 'unauthorized' : 'forbidden');
      throw key.status === 401 ? new UnauthorizedException(key.message) : new ForbiddenException(key.message);
    }
    const outside = key.scope ? outOfScope(items, key.scope) : [];
    if (outside.length > 0) {
      this.metrics.rejectRequest('forbidden');
      const services = [...new Set(outside.map((o) => o.service))].join(', ');
      throw new ForbiddenException({
        statusCode: 403,
        error: 'Forbidden',
        message: `this API key may not send events for service(s) ${services}`,
        indexes: outside.map((o) => o.index),
      });
    }
    const waitSeconds = this.limiter.take(key.id, items.length);
    if (waitSeconds > 0) {
      this.metrics.rejectRequest('rate_limited');
      void http.getResponse<FastifyReply>().header('Retry-After', String(waitSeconds));
      throw new HttpException(
        { statusCode: 429, error: 'Too Many Requests', message: 'rate limit of this API key exceeded', retryAfterSeconds: waitSeconds },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    return true;
  }
}

/** Items naming a service the key does not cover. Items without a string service are left to validation. */
function outOfScope(items: unknown[], scope: ApiKeyScope): { index: number; service: string }[] {
  if (scope.services === '*') return [];
  const allowed = scope.services;
  return items.flatMap((item, index) => {
    const service = (item as { service?: unknown } | null)?.service;
    return typeof service === 'string' && !allowed.has(service) ? [{ index, service }] : [];
  });
}
