import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { WorkerConfig } from '../config/worker.config';
import { loopbackHostNames } from './loopback';

/** What the access rule reads of a request: the matched route pattern, never the raw path. */
export interface AccessRequest {
  route: string;
  host: string | undefined;
  origin: string | undefined;
  authorization: string | undefined;
  /** The port the connection came in on: the default Host allow-list holds it, so port 0 in tests works too. */
  localPort: number;
}

export type AccessRefusal = { status: 401 | 403; message: string };

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * The control API's one access rule, for every /v1 route (targets, decisions, history, console data and
 * its event stream); the page, its assets, /health, /metrics and /docs stay open.
 * 1. Host must be one this API answers for: a browser led to 127.0.0.1 by a rebinding name sends that
 *    name, so DNS rebinding gets 403 even with no token on loopback.
 * 2. Origin, when a browser sends one, must be an allowed origin: a cross-site form or fetch (CSRF) gets 403.
 * 3. With a token configured, `Authorization: Bearer <token>`, reads included; 401 otherwise.
 */
export function accessRefusal(req: AccessRequest, http: WorkerConfig['http']): AccessRefusal | null {
  if (!req.route.startsWith('/v1/')) return null;
  // Loopback names are always safe: a rebinding page sends its own name, never one of these.
  const hosts = [...loopbackHostNames(req.localPort), ...(http.allowedHosts ?? [])];
  const host = (req.host ?? '').toLowerCase();
  if (!hosts.includes(host)) {
    return {
      status: 403,
      message: `Host "${host}" is not one this control API answers for (${hosts.join(', ')}); set SMARTSCALE_CONTROL_ALLOWED_HOSTS to add names`,
    };
  }
  if (req.origin !== undefined) {
    const origins = http.allowedOrigins ?? hosts.flatMap((h) => [`http://${h}`, `https://${h}`]);
    if (!origins.includes(req.origin.toLowerCase())) {
      return {
        status: 403,
        message: `Origin "${req.origin}" may not call this control API (allowed: ${origins.join(', ')}); set SMARTSCALE_CONTROL_ALLOWED_ORIGINS to add one`,
      };
    }
  }
  if (http.token === null) return null;
  const header = req.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : '';
  // Compare digests so that the comparison takes the same time whatever the length of the guess.
  if (!timingSafeEqual(digest(given), digest(http.token)))
    return { status: 401, message: 'a valid bearer token (SMARTSCALE_CONTROL_TOKEN) is required: Authorization: Bearer <token>' };
  return null;
}

/** Installed for the whole app by createWorkerApp, so that no /v1 route can be added without it. */
@Injectable()
export class ControlAccessGuard implements CanActivate {
  constructor(private readonly http: WorkerConfig['http']) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const refusal = accessRefusal(
      {
        route: req.routeOptions.url ?? '',
        host: req.headers.host,
        origin: req.headers.origin,
        authorization: req.headers.authorization,
        localPort: req.socket?.localPort ?? this.http.port,
      },
      this.http,
    );
    if (refusal?.status === 403) throw new ForbiddenException(refusal.message);
    if (refusal?.status === 401) {
      void context
        .switchToHttp()
        .getResponse<{ header(k: string, v: string): unknown }>()
        .header('www-authenticate', 'Bearer realm="smartscale-control"');
      throw new UnauthorizedException(refusal.message);
    }
    return true;
  }
}
