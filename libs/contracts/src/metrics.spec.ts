import { windowKind, WindowMetricSchema } from './metrics';

const record = {
  v: 1,
  service: 'checkout',
  windowStart: 0,
  windowEnd: 10_000,
  count: 3,
  eventsPerSecond: 0.3,
  errorCount: 0,
  errorRate: 0,
  countByType: { request: 3 },
  latencyP50: 5,
  latencyP95: 9,
  latencyP99: 9,
  consumerLag: 0,
  partition: 1,
  emittedAt: 12_000,
};

describe('WindowMetricSchema', () => {
  it('reads records written before window kinds existed as tumbling, and both kinds since', () => {
    const old = WindowMetricSchema.parse(record);
    expect(old.kind).toBeUndefined();
    expect(windowKind(old)).toBe('tumbling');
    expect(windowKind(WindowMetricSchema.parse({ ...record, kind: 'hopping', windowStart: -50_000 }))).toBe('hopping');
    expect(WindowMetricSchema.safeParse({ ...record, kind: 'sliding' }).success).toBe(false);
  });
});
