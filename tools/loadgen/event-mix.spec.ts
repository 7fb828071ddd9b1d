import { TelemetryEventSchema } from '@smartscale/contracts';
import { seededRandom } from '@smartscale/testing';
import { burstingService, makeEvent, MixOptions, TYPE_WEIGHTS } from './event-mix';

const mix: MixOptions = {
  services: ['checkout', 'cart', 'search'],
  errorRate: 0.01,
  burst: { everySeconds: 30, forSeconds: 10, errorRate: 0.6, latencyFactor: 4 },
};
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe(makeEvent.name, () => {
  it('produces only events the ingest schema accepts, of every type and service', () => {
    const rnd = seededRandom(7);
    const events = Array.from({ length: 2000 }, (_, i) => makeEvent(mix, i % 60, NOW, rnd, `id-${i}`));
    expect(events.filter((e) => !TelemetryEventSchema.safeParse(e).success)).toEqual([]);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(Object.keys(TYPE_WEIGHTS)));
    expect(new Set(events.map((e) => e.service))).toEqual(new Set(mix.services));
  });

  it('raises the error rate of the bursting service only, during its burst', () => {
    const rnd = seededRandom(11);
    const errorShare = (t: number, service: string) => {
      const reqs = Array.from({ length: 6000 }, (_, i) => makeEvent(mix, t, NOW, rnd, `${i}`)).filter(
        (e) => e.type === 'request' && e.service === service,
      );
      return reqs.filter((e) => (e.status ?? 200) >= 500).length / reqs.length;
    };
    expect(burstingService(mix, 35)).toBe('checkout');
    expect(errorShare(35, 'checkout')).toBeGreaterThan(0.45);
    expect(errorShare(35, 'cart')).toBeLessThan(0.05);
    expect(errorShare(45, 'checkout')).toBeLessThan(0.05);
  });

  it('takes the services in turn and has no burst in the first period', () => {
    expect([5, 30, 60, 90, 120].map((t) => burstingService(mix, t))).toEqual([null, 'checkout', 'cart', 'search', 'checkout']);
  });
});
