import type { TelemetryEventInput } from '@smartscale/contracts';
import type { ExportTraceServiceRequest, Span } from './otlp-model';
import { SPAN_KIND, STATUS_CODE_ERROR } from './otlp-model';
import { MappingResult, resourceContext, ResourceContext, withResource } from './otlp-mapping';
import { AttributeBag, idHex, list, nanosToMs, Scalar, scalar } from './otlp-values';

/**
 * Span attributes kept on the request event, most useful first (current semantic conventions, then
 * the older names still emitted by many instrumentations).
 */
export const KEPT_SPAN_ATTRIBUTES: ReadonlySet<string> = new Set([
  'http.request.method',
  'http.route',
  'http.response.status_code',
  'url.path',
  'rpc.system',
  'rpc.service',
  'rpc.method',
  'messaging.system',
  'messaging.destination.name',
  'messaging.operation.type',
  'http.method',
  'http.status_code',
  'http.target',
]);

/**
 * ExportTraceServiceRequest -> request events. A SERVER or CONSUMER span is one request the service
 * named by its resource's `service.name` handled: its end time is the event time, its duration the
 * latency, and it is an error when its status is ERROR or its HTTP status is 5xx. Every other span is
 * counted and rejected with its reason (never silently lost), as is a span whose resource has no
 * service.name. Ids are the trace and span ids, so an exporter's retry of the same batch is recognised
 * as a duplicate by the aggregator's per-window id check rather than counted twice.
 */
export function mapTraces(request: ExportTraceServiceRequest): MappingResult {
  const result = new MappingResult();
  for (const resourceSpans of list(request.resourceSpans)) {
    const scopes = resourceSpans !== null && typeof resourceSpans === 'object' ? list(resourceSpans.scopeSpans) : [];
    const context = scopes.length > 0 ? resourceContext(resourceSpans.resource) : null;
    for (const scope of scopes) {
      const spans = scope !== null && typeof scope === 'object' ? list(scope.spans) : [];
      for (const span of spans) mapSpan(span, context as ResourceContext, result);
    }
  }
  return result;
}

function mapSpan(span: Span, context: ResourceContext, result: MappingResult): void {
  const index = result.total++;
  if (span === null || typeof span !== 'object') return result.reject('malformed');
  if (context.service === null)
    return result.reject('no_service_name', 1, typeof span.name === 'string' ? `span "${span.name.slice(0, 64)}"` : undefined);
  const kind = span.kind ?? SPAN_KIND.unspecified;
  if (kind !== SPAN_KIND.server && kind !== SPAN_KIND.consumer) return result.reject('span_kind', 1, `kind ${kind}`);
  const start = nanosToMs(span.startTimeUnixNano);
  const end = nanosToMs(span.endTimeUnixNano);
  const time = Number.isFinite(end) ? end : start;
  if (!Number.isFinite(time)) return result.reject('no_timestamp');

  const bag = new AttributeBag();
  bag.put('span.kind', kind === SPAN_KIND.server ? 'server' : 'consumer');
  if (typeof span.name === 'string' && span.name.length > 0) bag.put('span.name', span.name.slice(0, 256));
  // One pass over the span's attributes: the kept ones, and the HTTP status (current name first).
  let status: Scalar | undefined;
  let legacyStatus: Scalar | undefined;
  for (const kv of list(span.attributes)) {
    if (kv === null || typeof kv !== 'object' || typeof kv.key !== 'string' || !KEPT_SPAN_ATTRIBUTES.has(kv.key)) continue;
    const value = scalar(kv.value);
    bag.put(kv.key, value);
    if (kv.key === 'http.response.status_code') status = value;
    else if (kv.key === 'http.status_code') legacyStatus = value;
  }
  withResource(bag, context);
  result.droppedAttributes += bag.dropped;
  const attributes = bag.values;

  const http = httpStatus(status) ?? httpStatus(legacyStatus);
  const failed = span.status?.code === STATUS_CODE_ERROR || (http !== undefined && http >= 500);
  const traceId = idHex(span.traceId, 16);
  const spanId = idHex(span.spanId, 8);
  const event: TelemetryEventInput = {
    service: context.service,
    // An error without a 5xx to carry it is typed 'error', which the windows count as one; with a 5xx
    // the status says it and the event stays a request.
    type: failed && !(http !== undefined && http >= 500) ? 'error' : 'request',
    time: Math.floor(time),
    attributes,
  };
  if (traceId && spanId) event.id = `${traceId}${spanId}`;
  if (Number.isFinite(start) && Number.isFinite(end) && end >= start) event.latencyMs = Math.round((end - start) * 1000) / 1000;
  if (http !== undefined) event.status = http;
  result.events.push({ index, event });
}

/** An HTTP status attribute's value, when it is a valid status code (some instrumentations send strings). */
function httpStatus(value: Scalar | undefined): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}
