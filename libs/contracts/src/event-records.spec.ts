import type { TelemetryEvent } from './events';
import { mergeRecords, packEvents, unpackEventRecord } from './event-records';

const ev = (i: number, service = 'checkout', time = 1_000 + i): TelemetryEvent => ({ v: 1, id: `e${i}`, service, type: 'request', time });

describe(packEvents.name, () => {
  it('groups by service, keeps each service in order, and cuts by count', () => {
    const events = [ev(0), ev(1, 'cart'), ev(2), ev(3), ev(4, 'cart'), ev(5)];
    const records = packEvents(events, { maxEvents: 2, maxBytes: 1 << 20 });
    expect(records.map((r) => [r.key, r.events])).toEqual([
      ['checkout', 2],
      ['checkout', 2],
      ['cart', 2],
    ]);
    const ids = records.flatMap((r) => (unpackEventRecord(r.value) as { items: TelemetryEvent[] }).items.map((e) => e.id));
    expect(ids).toEqual(['e0', 'e2', 'e3', 'e5', 'e1', 'e4']);
    expect(records[0].timestamp).toBe('1002'); // the newest event of the record
  });

  it('cuts by bytes, keeping order, and gives a single event over the bound a record of its own', () => {
    const events = Array.from({ length: 9 }, (_, i) => ev(i));
    const maxBytes = 3 * JSON.stringify(ev(0)).length;
    const records = packEvents(events, { maxEvents: 100, maxBytes });
    expect(records.length).toBeGreaterThan(3);
    expect(records.every((r) => r.value.length <= maxBytes)).toBe(true);
    expect(records.flatMap((r) => (unpackEventRecord(r.value) as { items: TelemetryEvent[] }).items.map((e) => e.id))).toEqual(
      events.map((e) => e.id),
    );
    expect(records.reduce((n, r) => n + r.events, 0)).toBe(9);
    expect(packEvents([ev(0), ev(1)], { maxEvents: 100, maxBytes: 10 }).map((r) => r.events)).toEqual([1, 1]);
  });

  it('packs a single event the same way as many', () => {
    expect(packEvents([ev(7)], { maxEvents: 200, maxBytes: 1 << 20 })).toEqual([
      { key: 'checkout', value: JSON.stringify([ev(7)]), timestamp: '1007', events: 1 },
    ]);
    expect(packEvents([ev(7)], { maxEvents: 1, maxBytes: 1 << 20 })[0].value).toBe(JSON.stringify(ev(7)));
  });

  it('writes the original form, one event object per record, with maxEvents 1', () => {
    const records = packEvents([ev(0), ev(1)], { maxEvents: 1, maxBytes: 1 << 20 });
    expect(records.map((r) => JSON.parse(r.value) as unknown)).toEqual([ev(0), ev(1)]);
  });
});

describe(unpackEventRecord.name, () => {
  it('reads an object as one event and an array as several', () => {
    expect(unpackEventRecord(Buffer.from(JSON.stringify(ev(0))))).toEqual({ items: [ev(0)] });
    expect(unpackEventRecord(JSON.stringify([ev(0), ev(1)]))).toEqual({ items: [ev(0), ev(1)] });
  });

  it('says why a record is unreadable', () => {
    expect(unpackEventRecord(null)).toEqual({ error: 'empty record value' });
    expect(unpackEventRecord('{')).toEqual({ error: expect.stringMatching(/^not JSON/) as string });
    expect(unpackEventRecord('[]')).toEqual({ error: 'an empty array of events' });
  });
});

describe(mergeRecords.name, () => {
  const ids = (records: { value: string }[]): string[] =>
    records.flatMap((r) => (unpackEventRecord(r.value) as { items: TelemetryEvent[] }).items.map((e) => e.id));
  const limits = { maxEvents: 3, maxBytes: 1 << 20 };

  it('merges the records of one key, in order, up to the limits, and keeps the newest timestamp', () => {
    const records = [ev(0), ev(1, 'cart'), ev(2), ev(3), ev(4, 'cart', 5), ev(5)].flatMap((e) => packEvents([e], limits));
    const merged = mergeRecords(records, limits);
    expect(merged.map((r) => [r.key, r.events])).toEqual([
      ['checkout', 3],
      ['cart', 2],
      ['checkout', 1],
    ]);
    expect(ids(merged)).toEqual(['e0', 'e2', 'e3', 'e1', 'e4', 'e5']);
    expect(merged[1].timestamp).toBe('1001');
    expect(merged.every((r) => JSON.parse(r.value).length === r.events)).toBe(true);
    // the inputs are untouched
    expect(records.map((r) => r.events)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('keeps to the byte bound and leaves the one-event form alone', () => {
    const one = packEvents([ev(0)], limits)[0];
    const merged = mergeRecords([one, one, one], { maxEvents: 100, maxBytes: 2 * one.value.length });
    expect(merged.map((r) => r.events)).toEqual([2, 1]);
    expect(merged.every((r) => r.value.length <= 2 * one.value.length)).toBe(true);
    const objects = [ev(0), ev(1)].flatMap((e) => packEvents([e], { maxEvents: 1, maxBytes: 1 << 20 }));
    expect(mergeRecords(objects, { maxEvents: 1, maxBytes: 1 << 20 })).toEqual(objects);
    expect(mergeRecords(objects, limits)).toEqual(objects);
  });
});
