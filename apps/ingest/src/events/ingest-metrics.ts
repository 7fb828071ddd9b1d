import { Counter, Histogram, Registry } from 'prom-client';

export class IngestMetrics {
  readonly accepted: Counter;
  readonly rejected: Counter<'reason'>;
  readonly produceSeconds: Histogram;

  constructor(registry: Registry) {
    this.accepted = new Counter({ name: 'smartscale_ingest_events_accepted_total', help: 'Events acknowledged by the broker', registers: [registry] });
    this.rejected = new Counter({ name: 'smartscale_ingest_events_rejected_total', help: 'Events rejected, by reason', labelNames: ['reason'], registers: [registry] });
    this.produceSeconds = new Histogram({
      name: 'smartscale_ingest_produce_seconds',
      help: 'Time from request validated to broker acknowledgement',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  }
}
