import { createHash } from 'node:crypto';
import type { TelemetryEventInput } from '@smartscale/contracts';
import type { ExportMetricsServiceRequest, HistogramDataPoint, Int64, KeyValue, Metric, NumberDataPoint } from './otlp-model';
import { NO_RECORDED_VALUE } from './otlp-model';
import { MappingResult, resourceContext, ResourceContext, withResource } from './otlp-mapping';
import { AttributeBag, Attributes, int64, list, nanosToMs } from './otlp-values';

/** UCUM time units (the units OpenTelemetry's semantic conventions use) in milliseconds. */
export const TIME_UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * ExportMetricsServiceRequest -> metric events, one per data point: a gauge or sum point carries its
 * value; a histogram (explicit or exponential) point carries its mean (sum / count) and, when the
 * metric's unit is a time unit, that mean in ms as `latencyMs`, which the windows' latency percentiles
 * take in. The event schema has one latency sample per event and no weight, so a point's bucket
 * distribution is not carried: the percentiles are those of the exported means (docs/otlp.md).
 * Summaries and points without a value are counted and rejected with their reason.
 */
export function mapMetrics(request: ExportMetricsServiceRequest): MappingResult {
  const result = new MappingResult();
  for (const resourceMetrics of list(request.resourceMetrics)) {
    const scopes = resourceMetrics !== null && typeof resourceMetrics === 'object' ? list(resourceMetrics.scopeMetrics) : [];
    const context = scopes.length > 0 ? resourceContext(resourceMetrics.resource) : null;
    for (const scope of scopes) {
      const metrics = scope !== null && typeof scope === 'object' ? list(scope.metrics) : [];
      for (const metric of metrics) mapMetric(metric, context as ResourceContext, result);
    }
  }
  return result;
}

function mapMetric(metric: Metric, context: ResourceContext, result: MappingResult): void {
  if (metric === null || typeof metric !== 'object') {
    result.total++;
    return result.reject('malformed');
  }
  const name = typeof metric.name === 'string' ? metric.name : '';
  const numberPoints = list(metric.gauge?.dataPoints).concat(list(metric.sum?.dataPoints));
  const histogramPoints = list(metric.histogram?.dataPoints).concat(list(metric.exponentialHistogram?.dataPoints));
  if (numberPoints.length === 0 && histogramPoints.length === 0) {
    // A summary's points (or a metric with no data at all) are counted as rejected data points.
    const n = Math.max(1, list(metric.summary?.dataPoints).length);
    result.total += n;
    return result.reject('unsupported_metric_type', n, name ? `metric "${name.slice(0, 64)}"` : undefined);
  }
  for (const point of numberPoints) {
    mapPoint(point, (p) => numberValue(p as NumberDataPoint), name, metric, context, result);
  }
  for (const point of histogramPoints) {
    mapPoint(point, (p) => histogramValue(p as HistogramDataPoint, metric.unit), name, metric, context, result);
  }
}

type Valued = { value: number; latencyMs?: number; attributes?: Attributes } | 'no_recorded_value' | 'empty_histogram';

function mapPoint(
  p: NumberDataPoint | HistogramDataPoint,
  valueOf: (p: NumberDataPoint | HistogramDataPoint) => Valued,
  name: string,
  metric: Metric,
  context: ResourceContext,
  result: MappingResult,
): void {
  const index = result.total++;
  if (p === null || typeof p !== 'object') return result.reject('malformed');
  if (context.service === null) return result.reject('no_service_name', 1, name ? `metric "${name.slice(0, 64)}"` : undefined);
  const time = nanosToMs(p.timeUnixNano);
  if (!Number.isFinite(time)) return result.reject('no_timestamp');
  if (typeof p.flags === 'number' && (p.flags & NO_RECORDED_VALUE) !== 0) return result.reject('no_recorded_value');
  const valued = valueOf(p);
  if (typeof valued === 'string') return result.reject(valued, 1, name ? `metric "${name.slice(0, 64)}"` : undefined);

  const bag = new AttributeBag();
  for (const [key, value] of Object.entries(valued.attributes ?? {})) bag.put(key, value);
  if (typeof metric.unit === 'string' && metric.unit.length > 0) bag.put('otel.metric.unit', metric.unit.slice(0, 64));
  bag.putAll(p.attributes);
  withResource(bag, context);
  result.droppedAttributes += bag.dropped;
  const attributes = bag.values;
  const event: TelemetryEventInput = {
    id: pointId(context.service, name, p.timeUnixNano, p.attributes),
    service: context.service,
    type: 'metric',
    time: Math.floor(time),
    name,
    value: valued.value,
    attributes,
  };
  if (valued.latencyMs !== undefined) event.latencyMs = valued.latencyMs;
  result.events.push({ index, event });
}

function numberValue(p: NumberDataPoint): Valued {
  if (typeof p.asDouble === 'number' && Number.isFinite(p.asDouble)) return { value: p.asDouble };
  const n = int64(p.asInt);
  return Number.isFinite(n) ? { value: n } : 'no_recorded_value';
}

function histogramValue(p: HistogramDataPoint, unit: string | null | undefined): Valued {
  const count = int64(p.count);
  if (!(count > 0) || typeof p.sum !== 'number' || !Number.isFinite(p.sum)) return 'empty_histogram';
  const mean = p.sum / count;
  const toMs = typeof unit === 'string' ? TIME_UNITS_MS[unit] : undefined;
  const valued: Valued = { value: mean, attributes: { 'otel.histogram.count': count } };
  if (toMs !== undefined && mean >= 0) valued.latencyMs = Math.round(mean * toMs * 1000) / 1000;
  return valued;
}

/**
 * A data point's id, the same for the same point sent again (an exporter's retry), so that the
 * aggregator's per-window id check does not count it twice: service, metric, time and attributes.
 */
function pointId(service: string, name: string, time: Int64, attributes: KeyValue[] | null | undefined): string {
  const attrs = list(attributes)
    .map((kv) => (kv !== null && typeof kv === 'object' ? `${String(kv.key)}=${JSON.stringify(kv.value ?? null)}` : ''))
    .join('\u0000');
  return createHash('sha256')
    .update(`${service}\u0000${name}\u0000${String(int64(time))}\u0000${attrs}`)
    .digest('hex')
    .slice(0, 40);
}
