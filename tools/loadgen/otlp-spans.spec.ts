import { TraceRequest, TraceResponse } from '../../apps/ingest/src/otlp/otlp-proto';
import type { ExportTraceServiceRequest } from '../../apps/ingest/src/otlp/otlp-model';
import { mapTraces } from '../../apps/ingest/src/otlp/span-mapping';
import { encodeSpans, rejectedSpans } from './otlp-spans';

describe(encodeSpans.name, () => {
  it('encodes one SERVER span per request that the receiver maps back to the same request, under the returned ids', () => {
    const time = Date.parse('2026-11-23T12:00:00Z');
    const { body, ids } = encodeSpans([
      { service: 'checkout', time, latencyMs: 12.5, status: 200 },
      { service: 'cart', time, latencyMs: 30, status: 503 },
    ]);
    const mapped = mapTraces(TraceRequest.decode(body) as ExportTraceServiceRequest);
    expect(mapped.rejectedCount).toBe(0);
    expect(mapped.events.map((m) => m.event)).toEqual([
      expect.objectContaining({ id: ids[0], service: 'checkout', type: 'request', time, latencyMs: 12.5, status: 200 }),
      expect.objectContaining({ id: ids[1], service: 'cart', type: 'request', time, latencyMs: 30, status: 503 }),
    ]);
  });

  it('reads the rejected count of a partial success, and 0 from a full success', () => {
    expect(rejectedSpans(TraceResponse.encode({}).finish())).toBe(0);
    expect(rejectedSpans(TraceResponse.encode({ partialSuccess: { rejectedSpans: 7, errorMessage: 'x' } }).finish())).toBe(7);
  });
});
