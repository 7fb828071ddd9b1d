import { Counter, Registry } from 'prom-client';

/** What became of OTLP items (spans, data points): accepted, or rejected with the partial-success reason. */
export class OtlpMetrics {
  readonly items: Counter<'signal' | 'outcome' | 'reason'>;
  readonly droppedAttributes: Counter<'signal'>;

  constructor(registry: Registry) {
    this.items = new Counter({
      name: 'smartscale_otlp_items_total',
      help: 'OTLP spans and data points received, by signal, outcome (accepted|rejected) and reason',
      labelNames: ['signal', 'outcome', 'reason'],
      registers: [registry],
    });
    this.droppedAttributes = new Counter({
      name: 'smartscale_otlp_attributes_dropped_total',
      help: 'OTLP attributes not kept on events (over the event attribute limit, or not a scalar)',
      labelNames: ['signal'],
      registers: [registry],
    });
  }
}
