import type { TelemetryEventInput } from '@smartscale/contracts';
import type { Resource } from './otlp-model';
import { attribute, AttributeBag, Scalar } from './otlp-values';

export const SERVICE_NAME = 'service.name';

/** Why an item of a request was not turned into an event; the partial-success message lists them. */
export type RejectReason =
  | 'no_service_name'
  | 'span_kind'
  | 'no_timestamp'
  | 'malformed'
  | 'no_recorded_value'
  | 'empty_histogram'
  | 'unsupported_metric_type'
  | 'out_of_scope'
  | 'invalid_event';

export const REJECT_REASON_TEXT: Record<RejectReason, string> = {
  no_service_name: 'no service.name resource attribute (string)',
  span_kind: 'span kind is not SERVER or CONSUMER (only those are requests of the service)',
  no_timestamp: 'no start/end time',
  malformed: 'not a message of the expected shape',
  no_recorded_value: 'data point flagged "no recorded value"',
  empty_histogram: 'histogram point with no observations or no sum',
  unsupported_metric_type: 'summary (or empty) metric: only gauges, sums and histograms are mapped',
  out_of_scope: 'service not covered by this API key',
  invalid_event: 'refused by event validation',
};

/** One mapped item: the event, and its position among the request's spans or data points. */
export interface Mapped {
  index: number;
  event: TelemetryEventInput;
}

/** What a mapping made of one request: events for the mapped items, counts and examples for the rest. */
export class MappingResult {
  readonly events: Mapped[] = [];
  readonly rejected = new Map<RejectReason, { count: number; example?: string }>();
  /** Attributes not kept (over the event's limit, or not scalar); counted, never a rejection. */
  droppedAttributes = 0;
  total = 0;

  reject(reason: RejectReason, count = 1, example?: string): void {
    const entry = this.rejected.get(reason) ?? { count: 0 };
    entry.count += count;
    entry.example ??= example;
    this.rejected.set(reason, entry);
  }

  get rejectedCount(): number {
    let n = 0;
    for (const { count } of this.rejected.values()) n += count;
    return n;
  }
}

/** The service and the attributes every event of one resource carries (computed once per resource). */
export interface ResourceContext {
  service: string | null;
  /** At most the event limit of the resource's scalar attributes, service.name aside, in order. */
  entries: [string, Scalar][];
  /** Resource attributes that could never fit or are not scalars. */
  dropped: number;
}

export function resourceContext(resource: Resource | null | undefined): ResourceContext {
  const attrs = resource !== null && typeof resource === 'object' ? resource.attributes : undefined;
  const name = attribute(attrs, SERVICE_NAME);
  const bag = new AttributeBag();
  bag.putAll(attrs, SERVICE_NAME);
  return { service: typeof name === 'string' && name.length > 0 ? name : null, entries: Object.entries(bag.values), dropped: bag.dropped };
}

/** Adds the resource's attributes after the item's own, within the limit. */
export function withResource(bag: AttributeBag, context: ResourceContext): void {
  for (const [key, value] of context.entries) bag.put(key, value);
  bag.dropped += context.dropped;
}

/** The partial-success message: every reason with its count, and one example where there is one. */
export function rejectionMessage(result: MappingResult, noun: string): string {
  const parts = [...result.rejected].map(
    ([reason, { count, example }]) => `${count} ${noun}: ${REJECT_REASON_TEXT[reason]}${example ? ` (${example})` : ''}`,
  );
  return `${result.rejectedCount} of ${result.total} ${noun} not accepted: ${parts.join('; ')}`;
}
