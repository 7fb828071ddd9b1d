/**
 * The parts of the OTLP request messages the mapping reads, as both encodings present them: protobufjs
 * decodes binary into objects with these lowerCamelCase names (64-bit integers as Long, bytes as
 * Uint8Array, unset message fields null), and OTLP/JSON uses the same names (64-bit integers as decimal
 * strings or numbers, trace and span ids as hex). JSON comes from an untrusted sender, so every field is
 * optional and read through the guards in otlp-values.ts.
 */
export interface LongLike {
  toNumber(): number;
}
export type Int64 = number | string | LongLike | null | undefined;

export interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64;
  doubleValue?: number | null;
  arrayValue?: unknown;
  kvlistValue?: unknown;
  bytesValue?: unknown;
}

export interface KeyValue {
  key?: string | null;
  value?: AnyValue | null;
}

export interface Resource {
  attributes?: KeyValue[] | null;
}

export interface Span {
  traceId?: Uint8Array | string | null;
  spanId?: Uint8Array | string | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano?: Int64;
  endTimeUnixNano?: Int64;
  attributes?: KeyValue[] | null;
  status?: { code?: number | null } | null;
}

export interface ScopeSpans {
  spans?: Span[] | null;
}

export interface ResourceSpans {
  resource?: Resource | null;
  scopeSpans?: ScopeSpans[] | null;
}

export interface ExportTraceServiceRequest {
  resourceSpans?: ResourceSpans[] | null;
}

export interface NumberDataPoint {
  attributes?: KeyValue[] | null;
  timeUnixNano?: Int64;
  asDouble?: number | null;
  asInt?: Int64;
  flags?: number | null;
}

export interface HistogramDataPoint {
  attributes?: KeyValue[] | null;
  timeUnixNano?: Int64;
  count?: Int64;
  sum?: number | null;
  flags?: number | null;
}

interface DataPoints<P> {
  dataPoints?: P[] | null;
}

export interface Metric {
  name?: string | null;
  unit?: string | null;
  gauge?: DataPoints<NumberDataPoint> | null;
  sum?: (DataPoints<NumberDataPoint> & { aggregationTemporality?: number | null; isMonotonic?: boolean | null }) | null;
  histogram?: (DataPoints<HistogramDataPoint> & { aggregationTemporality?: number | null }) | null;
  exponentialHistogram?: (DataPoints<HistogramDataPoint> & { aggregationTemporality?: number | null }) | null;
  summary?: DataPoints<unknown> | null;
}

export interface ScopeMetrics {
  metrics?: Metric[] | null;
}

export interface ResourceMetrics {
  resource?: Resource | null;
  scopeMetrics?: ScopeMetrics[] | null;
}

export interface ExportMetricsServiceRequest {
  resourceMetrics?: ResourceMetrics[] | null;
}

/** Span.SpanKind and Status.StatusCode values (opentelemetry/proto/trace/v1/trace.proto). */
export const SPAN_KIND = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
export const STATUS_CODE_ERROR = 2;
/** DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK (metrics.proto). */
export const NO_RECORDED_VALUE = 1;
