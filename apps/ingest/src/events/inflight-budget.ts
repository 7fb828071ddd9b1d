import { Inject, Injectable } from '@nestjs/common';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';
import { IngestMetrics } from './ingest-metrics';

/**
 * Bounds the request bytes held between arrival and the broker's answer. When the broker is slow or
 * down, requests pile up here; past the bound the API answers 503 at once rather than buffering
 * without limit. A request is always admitted when nothing is in flight, so one body at the size limit
 * can never be refused forever.
 */
@Injectable()
export class InflightBudget {
  private bytes = 0;
  private readonly max: number;

  constructor(
    @Inject(INGEST_CONFIG) config: IngestConfig,
    private readonly metrics: IngestMetrics,
  ) {
    this.max = config.http.maxInflightBytes;
  }

  tryAcquire(bytes: number): boolean {
    if (this.bytes > 0 && this.bytes + bytes > this.max) return false;
    this.bytes += bytes;
    this.metrics.inflightBytes.set(this.bytes);
    return true;
  }

  release(bytes: number): void {
    this.bytes = Math.max(0, this.bytes - bytes);
    this.metrics.inflightBytes.set(this.bytes);
  }

  get inflight(): number {
    return this.bytes;
  }
}
