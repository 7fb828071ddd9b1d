import { Inject, Injectable } from '@nestjs/common';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';
import { Clock, CLOCK } from './clock';

/** A request naming services past a cap: nothing of it is stored (429). */
export class ServiceCapError extends Error {
  constructor(
    readonly cap: 'per_client' | 'total',
    readonly limit: number,
    readonly services: string[],
    readonly retryAfterSeconds: number,
  ) {
    const which =
      cap === 'per_client' ? 'this client (SMARTSCALE_INGEST_MAX_SERVICES_PER_CLIENT)' : 'this server (SMARTSCALE_INGEST_MAX_SERVICES)';
    super(
      `the cap of ${limit} distinct services for ${which} within the service window is reached; not admitted: ${services.slice(0, 5).join(', ')}${services.length > 5 ? ` and ${services.length - 5} more` : ''}`,
    );
  }
}

/** Services seen, by last time seen; Map keeps insertion order, and a re-seen service moves to the end. */
class SeenServices {
  readonly last = new Map<string, number>();

  touch(service: string, now: number): void {
    const at = this.last.get(service);
    if (at !== undefined && now - at < 1000) return; // order within a second is close enough for a window
    this.last.delete(service);
    this.last.set(service, now);
  }

  /** Forgets services not seen within the window (the oldest are first). */
  expire(before: number): void {
    for (const [service, at] of this.last) {
      if (at >= before) return;
      this.last.delete(service);
    }
  }

  /** Seconds until the oldest service leaves the window, freeing one place. */
  secondsUntilFree(now: number, windowMs: number): number {
    const oldest = this.last.values().next().value ?? now;
    return Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
  }
}

/**
 * Every service name becomes a partition's worth of windows, a predictor model and metric series
 * downstream: a client that invents names could grow all of those without bound. So the distinct
 * services one client (API key, or address when auth is off) and all clients together may send within
 * a sliding window are capped. Services already admitted always pass; a request naming a new service
 * past a cap is refused whole. Per process (SMARTSCALE_INGEST_WORKERS share nothing), like the rate limit.
 * Written by hand: an insertion-ordered Map is the whole data structure.
 */
@Injectable()
export class ServiceCap {
  private readonly total = new SeenServices();
  private readonly perClient = new Map<string, SeenServices>();
  private readonly maxPerClient: number;
  private readonly maxTotal: number;
  private readonly windowMs: number;
  private lastExpiry = 0;

  constructor(
    @Inject(INGEST_CONFIG) config: IngestConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    ({ maxPerClient: this.maxPerClient, maxTotal: this.maxTotal, windowMs: this.windowMs } = config.services);
  }

  /** Admits the services of one request for `clientId`, or throws ServiceCapError (nothing recorded). */
  admit(clientId: string, services: Iterable<string>): void {
    const now = this.clock();
    this.expire(now);
    const mine = this.perClient.get(clientId) ?? new SeenServices();
    const newForMe: string[] = [];
    let newOverall = 0;
    for (const service of services) {
      if (mine.last.has(service)) continue;
      newForMe.push(service);
      if (!this.total.last.has(service)) newOverall += 1;
    }
    if (newForMe.length > 0 && mine.last.size + newForMe.length > this.maxPerClient) {
      throw new ServiceCapError('per_client', this.maxPerClient, newForMe, mine.secondsUntilFree(now, this.windowMs));
    }
    if (newOverall > 0 && this.total.last.size + newOverall > this.maxTotal) {
      throw new ServiceCapError(
        'total',
        this.maxTotal,
        newForMe.filter((s) => !this.total.last.has(s)),
        this.total.secondsUntilFree(now, this.windowMs),
      );
    }
    for (const service of services) {
      mine.touch(service, now);
      this.total.touch(service, now);
    }
    this.perClient.set(clientId, mine);
  }

  /** Services within the window, all clients together. */
  get tracked(): number {
    return this.total.last.size;
  }

  /** At most once a second: a busy server does not walk the maps on every request. */
  private expire(now: number): void {
    if (now - this.lastExpiry < 1000) return;
    this.lastExpiry = now;
    const before = now - this.windowMs;
    this.total.expire(before);
    for (const [client, seen] of this.perClient) {
      seen.expire(before);
      if (seen.last.size === 0) this.perClient.delete(client);
    }
  }
}
