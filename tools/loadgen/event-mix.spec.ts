import { TelemetryEventSchema } from '@smartscale/contracts';
import { burstingService, makeEvent, MixOptions, TYPE_WEIGHTS } from './event-mix';

/** A small seeded generator (mulberry32) so that the mix is checked on fixed draws. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mix: MixOptions = { services: ['checkout', 'cart', 'search'], errorRate: 0.01, burst: { everySeconds: 30, forSeconds: 10, errorRate: 0.6, latencyFactor: 4 } };
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe(makeEvent.name, () => {
  it('produces only events the ingest schema accepts, of every type and service', () => {
    const rnd = seeded(7);
    const events = Array.from({ length: 2000 }, (_, i) => makeEvent(mix, i % 60, NOW, rnd, `id-${i}`));
    expect(events.filter((e) => !TelemetryEventSchema.safeParse(e).success)).toEqual([]);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(Object.keys(TYPE_WEIGHTS)));
    expect(new Set(events.map((e) => e.service))).toEqual(new Set(mix.services));
  });

  it('raises the error rate of the bursting service only, during its burst', () => {
    const rnd = seeded(11);
    const errorShare = (t: number, service: string) => {
      const reqs = Array.from({ length: 6000 }, (_, i) => makeEvent(mix, t, NOW, rnd, `${i}`)).filter((e) => e.type === 'request' && e.service === service);
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
