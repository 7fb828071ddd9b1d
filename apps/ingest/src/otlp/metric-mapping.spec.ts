import { mapMetrics } from './metric-mapping';

const T = Date.parse('2026-11-23T12:00:00Z');
const nanos = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

describe(mapMetrics.name, () => {
  const metrics = (metric: unknown) => ({
    resourceMetrics: [{ resource: { attributes: [str('service.name', 'checkout')] }, scopeMetrics: [{ metrics: [metric] }] }],
  });

  it('gives the same id to the same data point sent twice, and another to a different point', () => {
    const point = (value: number, at = T) =>
      metrics({ name: 'q', gauge: { dataPoints: [{ timeUnixNano: nanos(at), asDouble: value, attributes: [str('queue', 'a')] }] } });
    const id = (r: unknown) => mapMetrics(r as never).events[0].event.id;
    expect(id(point(1))).toBe(id(point(1)));
    expect(id(point(1))).not.toBe(id(point(1, T + 1000)));
  });

  it('converts a histogram in ms, us or min into latency in ms, and leaves a histogram without a time unit without latency', () => {
    const histogram = (unit: string) =>
      metrics({ name: 'd', unit, histogram: { dataPoints: [{ timeUnixNano: nanos(T), count: '2', sum: 30 }] } });
    expect(mapMetrics(histogram('ms') as never).events[0].event).toMatchObject({ value: 15, latencyMs: 15 });
    expect(mapMetrics(histogram('us') as never).events[0].event.latencyMs).toBe(0.015);
    expect(mapMetrics(histogram('min') as never).events[0].event.latencyMs).toBe(900_000);
    expect(mapMetrics(histogram('By') as never).events[0].event.latencyMs).toBeUndefined();
  });

  it('rejects points with no recorded value, empty histograms and summaries, with their reasons', () => {
    const request = {
      resourceMetrics: [
        {
          resource: { attributes: [str('service.name', 'checkout')] },
          scopeMetrics: [
            {
              metrics: [
                { name: 'g', gauge: { dataPoints: [{ timeUnixNano: nanos(T), asDouble: 1, flags: 1 }, { timeUnixNano: nanos(T) }] } },
                { name: 'h', histogram: { dataPoints: [{ timeUnixNano: nanos(T), count: 0, sum: 0 }] } },
                { name: 's', summary: { dataPoints: [{}, {}] } },
              ],
            },
          ],
        },
      ],
    };
    const result = mapMetrics(request as never);
    expect(result.events).toHaveLength(0);
    expect(Object.fromEntries([...result.rejected].map(([r, { count }]) => [r, count]))).toEqual({
      no_recorded_value: 2,
      empty_histogram: 1,
      unsupported_metric_type: 2,
    });
  });
});
