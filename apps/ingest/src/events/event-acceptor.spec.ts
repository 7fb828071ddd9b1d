import fc from 'fast-check';
import { TelemetryEventSchema } from '@smartscale/contracts';
import { compileEventAcceptor } from './event-acceptor';

const accept = compileEventAcceptor();

/** What zod stores for an item, or undefined when zod rejects it. */
function viaZod(item: unknown): Record<string, unknown> | undefined {
  const parsed = TelemetryEventSchema.safeParse(item);
  return parsed.success ? { v: 1, ...parsed.data } : undefined;
}

/** The fast path may only accept what zod accepts, and must store what zod would (ids aside when assigned). */
function expectAgreement(item: unknown): 'fast' | 'zod' | 'rejected' {
  const zod = viaZod(structuredClone(item));
  const fast = accept(structuredClone(item));
  if (fast === undefined) return zod === undefined ? 'rejected' : 'zod';
  expect(zod).toBeDefined();
  const hadId = typeof item === 'object' && item !== null && 'id' in item;
  if (hadId) expect(fast).toEqual(zod);
  else {
    expect(typeof fast.id).toBe('string');
    expect({ ...fast, id: undefined }).toEqual({ ...zod, id: undefined });
  }
  return 'fast';
}

const T = Date.parse('2026-11-24T01:00:00Z');
const base = { service: 'checkout', type: 'request', time: T, latencyMs: 12.5, status: 200 };

describe('compileEventAcceptor', () => {
  it.each([
    ['a request event', base],
    ['an ISO time with offset', { ...base, time: '2026-11-24T01:00:00.123+02:00' }],
    ['an ISO time in UTC', { ...base, time: '2026-11-24T01:00:00Z' }],
    ['a client id', { ...base, id: 'abc-1' }],
    ['an id of 128 code points in 256 UTF-16 units', { ...base, id: '😀'.repeat(128) }],
    ['a metric with name and value', { service: 's', type: 'metric', time: T, name: 'queue_depth', value: 3 }],
    ['32 attributes', { ...base, attributes: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, i])) }],
    ['attributes of every kind', { ...base, attributes: { a: 'x', b: 1.5, c: true } }],
  ])('takes %s on the fast path, storing what zod stores', (_, item) => {
    expect(expectAgreement(item)).toBe('fast');
  });

  it('normalises an ISO time to epoch ms, assigns a missing id and marks the version', () => {
    const e = accept({ ...base, time: '2026-11-24T03:00:00+02:00' });
    expect(e).toMatchObject({ v: 1, time: T });
    expect(e?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['an unknown key', { ...base, extra: 1 }],
    ['a metric without value', { service: 's', type: 'metric', time: T, name: 'n' }],
    ['a metric without name', { service: 's', type: 'metric', time: T, value: 1 }],
    ['33 attributes', { ...base, attributes: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) }],
    ['an attribute value of 257 characters', { ...base, attributes: { a: 'x'.repeat(257) } }],
    ['an attribute key of 65 characters', { ...base, attributes: { ['k'.repeat(65)]: 1 } }],
    ['an attribute value that is an object', { ...base, attributes: { a: { b: 1 } } }],
    ['an id of 129 code points', { ...base, id: '😀'.repeat(128) + 'x' }],
    ['an empty service', { ...base, service: '' }],
    ['a service with a space', { ...base, service: 'check out' }],
    ['an unknown type', { ...base, type: 'trace' }],
    ['a fractional epoch time', { ...base, time: T + 0.5 }],
    ['a negative time', { ...base, time: -1 }],
    ['an unsafe integer time', { ...base, time: 2 ** 53 }],
    ['a time of a day that does not exist', { ...base, time: '2026-02-30T00:00:00Z' }],
    ['a time without an offset', { ...base, time: '2026-11-24T01:00:00' }],
    ['a status of 600', { ...base, status: 600 }],
    ['a fractional status', { ...base, status: 200.5 }],
    ['a negative latency', { ...base, latencyMs: -1 }],
    ['a string latency', { ...base, latencyMs: '12' }],
    ['no service', { type: 'request', time: T }],
    ['an array', [base]],
    ['null', null],
    ['a string', 'event'],
  ])('leaves %s to zod, which rejects it', (_, item) => {
    expect(expectAgreement(item)).toBe('rejected');
  });

  it('never accepts what zod rejects, nor stores anything else, on random events', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 3 }),
      fc.string({ minLength: 60, maxLength: 70 }),
      fc.string({ unit: 'grapheme', maxLength: 130 }),
      fc.constantFrom('checkout', 'a.b_c-d', '-x', ''),
    );
    const num = fc.oneof(
      fc.integer({ min: -5, max: 700 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constant(2 ** 53),
      fc.constant(T),
    );
    const time = fc.oneof(
      num,
      fc.date({ noInvalidDate: true, min: new Date(0), max: new Date('2999-01-01') }).map((d) => d.toISOString()),
      fc.constantFrom('2026-11-24T01:00:00+01:00', '2026-13-01T00:00:00Z', '2024-02-29T00:00:00Z', '2025-02-29T00:00:00Z'),
    );
    const attrValue = fc.oneof(text, num, fc.boolean(), fc.constant(null), fc.string({ minLength: 250, maxLength: 260 }));
    const event = fc.record(
      {
        id: text,
        service: text,
        type: fc.constantFrom('request', 'error', 'metric', 'log', 'click', 'other'),
        time,
        latencyMs: num,
        status: num,
        name: text,
        value: num,
        attributes: fc.dictionary(text, attrValue, { maxKeys: 40 }),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const seen = { fast: 0, zod: 0, rejected: 0 };
    fc.assert(
      fc.property(event, (item) => {
        seen[expectAgreement(item)]++;
      }),
      { numRuns: 3000, seed: 42 },
    );
    // the property is not vacuous: random events reach both outcomes
    expect(seen.fast).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });
});
