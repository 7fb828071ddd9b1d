import { timingSafeEqual, createHash } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Guards the control API's mutations with `Authorization: Bearer <SMARTSCALE_CONTROL_TOKEN>`. */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.http.token;
    if (token === null) return true;
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    // Compare digests so that the comparison takes the same time whatever the length of the guess.
    if (!timingSafeEqual(digest(given), digest(token))) throw new UnauthorizedException('a valid bearer token is required for this operation');
    return true;
  }
}
