import { Inject, Injectable } from '@nestjs/common';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';
import { Clock, CLOCK } from './clock';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per API key, in events per second, holding one second of tokens. Written by hand: it
 * is a dozen lines, keyed by our own key ids, and driven by the injected clock so tests need no sleeps.
 * A request costing more than a full bucket is admitted when the bucket is full and leaves a debt, so
 * a maximal batch is slow, never impossible.
 */
@Injectable()
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;

  constructor(
    @Inject(INGEST_CONFIG) config: IngestConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    // Each of N workers (SMARTSCALE_INGEST_WORKERS) gets about 1/N of the connections, so 1/N of the rate.
    this.rate = config.auth.rateLimitEventsPerSecond / config.http.workers;
  }

  /** Takes `cost` tokens for `key`; returns 0 when admitted, else whole seconds to wait before retrying. */
  take(key: string, cost: number): number {
    if (this.rate <= 0) return 0;
    const now = this.clock();
    const capacity = this.rate;
    const b = this.buckets.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    this.buckets.set(key, b);
    const needed = Math.min(cost, capacity);
    if (b.tokens < needed) return Math.max(1, Math.ceil((needed - b.tokens) / this.rate));
    b.tokens -= cost;
    return 0;
  }
}
