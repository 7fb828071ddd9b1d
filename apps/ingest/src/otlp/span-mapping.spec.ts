import fc from 'fast-check';
import { mapMetrics } from './metric-mapping';
import type { ExportTraceServiceRequest } from './otlp-model';
import { mapTraces } from './span-mapping';

const T = Date.parse('2026-11-23T12:00:00Z');
const nanos = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const withService = (spans: unknown[], service = 'checkout') =>
  ({ resourceSpans: [{ resource: { attributes: [str('service.name', service)] }, scopeSpans: [{ spans }] }] }) as ExportTraceServiceRequest;
const server = (over: Record<string, unknown> = {}) => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  kind: 2,
  startTimeUnixNano: nanos(T - 20),
  endTimeUnixNano: nanos(T),
  ...over,
});

describe(mapTraces.name, () => {
  it('marks a span an error from status ERROR, or from an HTTP status >= 500 under either attribute name', () => {
    const result = mapTraces(
      withService([
        server({ status: { code: 2 } }),
        server({ attributes: [{ key: 'http.status_code', value: { intValue: '503' } }] }),
        server({ attributes: [{ key: 'http.response.status_code', value: { intValue: 404 } }] }),
      ]),
    );
    expect(result.events.map(({ event }) => [event.type, event.status])).toEqual([
      ['error', undefined],
      ['request', 503],
      ['request', 404],
    ]);
  });

  it('uses the end time as event time and the duration as latency, the start time when there is no end', () => {
    const [a, b] = mapTraces(withService([server(), server({ endTimeUnixNano: '0' })])).events.map((m) => m.event);
    expect(a).toMatchObject({ time: T, latencyMs: 20 });
    expect(b).toMatchObject({ time: T - 20 });
    expect(b.latencyMs).toBeUndefined();
  });

  it('leaves the id to ingest when trace or span id is not a valid hex id', () => {
    const [event] = mapTraces(withService([server({ spanId: 'not-hex!' })])).events.map((m) => m.event);
    expect(event.id).toBeUndefined();
  });

  it('counts hostile shapes as rejected items and never throws', () => {
    const hostile = {
      resourceSpans: [
        null,
        7,
        { resource: 'x', scopeSpans: [{ spans: [server()] }] },
        {
          resource: { attributes: [null, { key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeSpans: [
            null,
            { spans: [null, 'span', server({ kind: '2' }), server({ startTimeUnixNano: 'soon', endTimeUnixNano: null })] },
          ],
        },
        { resource: { attributes: 'all' }, scopeSpans: 'none' },
      ],
    } as unknown as ExportTraceServiceRequest;
    const result = mapTraces(hostile);
    expect(result.events).toHaveLength(0);
    expect(result.total).toBe(5);
    expect(Object.fromEntries([...result.rejected].map(([r, { count }]) => [r, count]))).toEqual({
      no_service_name: 1,
      malformed: 2,
      span_kind: 1,
      no_timestamp: 1,
    });
  });

  it('keeps an attribute named like an Object property and refuses __proto__, counted', () => {
    const result = mapTraces({
      resourceSpans: [
        {
          resource: { attributes: [str('service.name', 'checkout'), str('constructor', 'c'), str('__proto__', 'p')] },
          scopeSpans: [{ spans: [server()] }],
        },
      ],
    } as ExportTraceServiceRequest);
    const attributes = result.events[0].event.attributes!;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.keys(attributes)).toEqual(['span.kind', 'constructor']);
    expect(result.droppedAttributes).toBe(1);
  });

  it('keeps the selected span attributes and the scalar resource attributes with keys of at most 64 characters, counting what it leaves out', () => {
    const result = mapTraces({
      resourceSpans: [
        {
          resource: {
            attributes: [
              str('service.name', 'checkout'),
              { key: 'list', value: { arrayValue: { values: [] } } },
              { key: 'x'.repeat(65), value: { stringValue: 'long key' } },
              { key: 'ratio', value: { doubleValue: 0.5 } },
            ],
          },
          scopeSpans: [
            {
              spans: [
                server({
                  attributes: [
                    { key: 'http.route', value: { stringValue: '/a' } },
                    { key: 'secret.header', value: { stringValue: 'not kept' } },
                  ],
                }),
              ],
            },
          ],
        },
      ],
    } as ExportTraceServiceRequest);
    expect(result.events[0].event.attributes).toEqual({ 'span.kind': 'server', 'http.route': '/a', ratio: 0.5 });
    expect(result.droppedAttributes).toBe(2);
  });
});

describe('mapping hostile OTLP/JSON', () => {
  // Any JSON at every level of the envelope, with the real field names, so the generator reaches the
  // span and attribute readers rather than failing at the top.
  const any = fc.jsonValue({ maxDepth: 2 });
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, any);
  const keyValue = maybe(
    fc.record(
      {
        key: maybe(fc.constantFrom('service.name', 'http.response.status_code', 'http.route', '__proto__', 'x')),
        value: maybe(fc.record({ stringValue: any, intValue: any, doubleValue: any, boolValue: any }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    ),
  );
  const attributes = maybe(fc.array(keyValue, { maxLength: 6 }));
  const span = maybe(
    fc.record(
      {
        traceId: any,
        spanId: any,
        name: any,
        kind: maybe(fc.integer({ min: 0, max: 6 })),
        startTimeUnixNano: any,
        endTimeUnixNano: any,
        attributes,
        status: maybe(fc.record({ code: any }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    ),
  );
  const point = maybe(
    fc.record({ timeUnixNano: any, asDouble: any, asInt: any, count: any, sum: any, flags: any, attributes }, { requiredKeys: [] }),
  );
  const points = maybe(fc.record({ dataPoints: maybe(fc.array(point, { maxLength: 4 })) }, { requiredKeys: [] }));
  const metric = maybe(
    fc.record(
      { name: any, unit: any, gauge: points, sum: points, histogram: points, exponentialHistogram: points, summary: points },
      { requiredKeys: [] },
    ),
  );
  const resource = maybe(fc.record({ attributes }, { requiredKeys: [] }));

  it('never throws, and accounts for every item as an event or a rejection', () => {
    const traces = fc.record({
      resourceSpans: fc.array(
        maybe(
          fc.record(
            {
              resource,
              scopeSpans: maybe(
                fc.array(maybe(fc.record({ spans: maybe(fc.array(span, { maxLength: 5 })) }, { requiredKeys: [] })), { maxLength: 3 }),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        { maxLength: 3 },
      ),
    });
    const metrics = fc.record({
      resourceMetrics: fc.array(
        maybe(
          fc.record(
            {
              resource,
              scopeMetrics: maybe(
                fc.array(maybe(fc.record({ metrics: maybe(fc.array(metric, { maxLength: 4 })) }, { requiredKeys: [] })), { maxLength: 3 }),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        { maxLength: 3 },
      ),
    });
    fc.assert(
      fc.property(traces, metrics, (t, m) => {
        for (const result of [mapTraces(t as ExportTraceServiceRequest), mapMetrics(m as never)]) {
          expect(result.events.length + result.rejectedCount).toBe(result.total);
          for (const { event } of result.events) expect(Object.keys(event.attributes ?? {}).length).toBeLessThanOrEqual(32);
        }
      }),
      { numRuns: 500 },
    );
  });
});
