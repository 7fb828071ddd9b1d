import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A closed set: every label value of the rejection counters is one of these (bounded series). */
export type RequestRejection =
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'overloaded'
  | 'client_overloaded'
  | 'client_requests'
  | 'service_cap'
  | 'timed_out'
  | 'too_large'
  | 'unsupported_media_type'
  | 'malformed_body';

export class IngestMetrics {
  readonly accepted: Counter;
  readonly rejected: Counter<'reason'>;
  readonly requestsRejected: Counter<'reason'>;
  readonly produceSeconds: Histogram;
  readonly inflightBytes: Gauge;
  readonly servicesTracked: Gauge;

  constructor(registry: Registry) {
    this.accepted = new Counter({
      name: 'smartscale_ingest_events_accepted_total',
      help: 'Events acknowledged by the broker',
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'smartscale_ingest_events_rejected_total',
      help: 'Events rejected, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    // Requests turned away before their events were counted (auth, rate limit, back-pressure, body).
    this.requestsRejected = new Counter({
      name: 'smartscale_ingest_requests_rejected_total',
      help: 'Requests rejected before validation, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.produceSeconds = new Histogram({
      name: 'smartscale_ingest_produce_seconds',
      help: 'Time from request validated to broker acknowledgement',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.servicesTracked = new Gauge({
      name: 'smartscale_ingest_services_tracked',
      help: 'Distinct services sent within the service window (capped by SMARTSCALE_INGEST_MAX_SERVICES)',
      registers: [registry],
    });
    this.inflightBytes = new Gauge({
      name: 'smartscale_ingest_inflight_bytes',
      help: 'Request body bytes admitted and not yet answered',
      registers: [registry],
    });
  }

  rejectRequest(reason: RequestRejection): void {
    this.requestsRejected.inc({ reason });
  }
}
