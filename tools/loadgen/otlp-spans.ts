import { randomBytes } from 'node:crypto';
import { TraceRequest, TraceResponse } from '../../apps/ingest/src/otlp/otlp-proto';

/** What loadgen knows of a request: the span it becomes carries the same service, time, latency and status. */
export interface RequestSample {
  service: string;
  /** End of the request, epoch ms. */
  time: number;
  latencyMs: number;
  status: number;
}

const SERVER = 2;
const STATUS_ERROR = 2;
const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/**
 * An OTLP ExportTraceServiceRequest (binary protobuf, encoded by the OpenTelemetry project's generated
 * code) with one SERVER span per request, one ResourceSpans per service as an SDK sends them. Returns
 * the body and the ids ingest stores them under (trace id + span id, hex).
 */
export function encodeSpans(requests: RequestSample[]): { body: Buffer; ids: string[] } {
  const byService = new Map<string, unknown[]>();
  const ids: string[] = [];
  for (const r of requests) {
    const traceId = randomBytes(16);
    const spanId = randomBytes(8);
    ids.push(`${traceId.toString('hex')}${spanId.toString('hex')}`);
    const spans = byService.get(r.service) ?? [];
    byService.set(r.service, spans);
    spans.push({
      traceId,
      spanId,
      name: 'GET /api',
      kind: SERVER,
      startTimeUnixNano: nanos(r.time - r.latencyMs),
      endTimeUnixNano: nanos(r.time),
      attributes: [
        { key: 'http.request.method', value: { stringValue: 'GET' } },
        { key: 'http.route', value: { stringValue: '/api' } },
        { key: 'http.response.status_code', value: { intValue: r.status } },
      ],
      status: r.status >= 500 ? { code: STATUS_ERROR } : {},
    });
  }
  const resourceSpans = [...byService].map(([service, spans]) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeSpans: [{ scope: { name: 'smartscale-loadgen' }, spans }],
  }));
  return { body: Buffer.from(TraceRequest.encode({ resourceSpans }).finish()), ids };
}

/** The rejected-span count of an ExportTraceServiceResponse (0 on full success). */
export function rejectedSpans(response: Uint8Array): number {
  const decoded = TraceResponse.decode(response) as { partialSuccess?: { rejectedSpans?: { toNumber(): number } | number | null } | null };
  const n = decoded.partialSuccess?.rejectedSpans;
  return typeof n === 'object' && n !== null ? n.toNumber() : (n ?? 0);
}
