import { decodeCheckpoint } from '@smartscale/windowing';
import type { AggregatorConfig } from '../config/aggregator.config';
import { SPEC_WINDOWS } from '../../../../test/support/aggregator-spec-settings';
import { InboundRecord, WindowsService } from './windows.service';

const T0 = 1_700_000_000_000;
/** The processing clock: an hour after the events, as when a backlog is read. */
const WALL = T0 + 3_600_000;
const config = {
  windows: SPEC_WINDOWS,
} as AggregatorConfig;
const record = (offset: number, value: unknown): InboundRecord => ({
  partition: 2,
  offset: String(offset),
  key: 'checkout',
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});
const event = (offset: number, time: number): InboundRecord =>
  record(offset, { v: 1, id: `e${offset}`, service: 'checkout', type: 'request', time });

describe(WindowsService.name, () => {
  it('commits the oldest open window with the checkpoint of the windows emitted in the same step', () => {
    const s = new WindowsService(config);
    const out = s.ingest(2, [event(0, T0 + 1_000), event(1, T0 + 11_000), event(2, T0 + 12_500)], '3', WALL);
    expect(out.metrics.map((m) => [m.windowStart, m.count])).toEqual([[T0, 1]]);
    expect(out.commit?.offset).toBe('1');
    expect(decodeCheckpoint(out.commit?.metadata)).toEqual({
      streamTime: T0 + 12_500,
      closedBefore: T0 + 10_000,
      position: '3',
      eventsPerRecord: 1,
    });
  });

  it('moves the offset past a dead letter, so that a replay does not send it twice', () => {
    const s = new WindowsService(config);
    const out = s.ingest(2, [record(5, 'not json')], '6', WALL);
    expect(out.deadLetters.map((d) => d.record.offset)).toEqual(['5']);
    expect(out.commit?.offset).toBe('6');
  });

  it('resumed from a checkpoint, does not emit again the windows emitted before it', () => {
    const first = new WindowsService(config);
    const step = first.ingest(2, [event(0, T0 + 1_000), event(1, T0 + 11_000), event(2, T0 + 12_500)], '3', WALL);
    const resumed = new WindowsService(config);
    resumed.resume(2, decodeCheckpoint(step.commit?.metadata), WALL);
    const replay = resumed.ingest(2, [event(1, T0 + 11_000), event(2, T0 + 12_500), event(3, T0 + 23_000)], '4', WALL);
    expect(replay.metrics.map((m) => [m.windowStart, m.count])).toEqual([[T0 + 10_000, 2]]);
  });

  it('emits hopping windows in the same step as the tumbling window they end with, and commits back to their oldest pane', () => {
    const s = new WindowsService({ windows: { ...config.windows, hopping: { sizeMs: 30_000, advanceMs: 10_000 } } } as AggregatorConfig);
    const out = s.ingest(2, [event(0, T0 + 1_000), event(1, T0 + 11_000), event(2, T0 + 22_500)], '3', WALL);
    expect(out.metrics.map((m) => [m.kind, (m.windowStart - T0) / 1000, m.count])).toEqual([
      ['tumbling', 0, 1],
      ['hopping', -20, 1],
      ['tumbling', 10, 1],
      ['hopping', -10, 2],
    ]);
    expect(out.commit?.offset).toBe('0'); // the window from 0 s to 30 s still needs the first pane
  });

  it('aggregates every event of a packed record, dead-letters only its bad ones, and counts lag in events', () => {
    const s = new WindowsService(config);
    const ev = (i: number, time: number): Record<string, unknown> => ({ v: 1, id: `p${i}`, service: 'checkout', type: 'request', time });
    const packed = [
      ev(0, T0 + 1_000),
      { v: 1, id: 'bad', service: 'checkout', type: 'nope', time: T0 },
      ev(2, T0 + 2_000),
      ev(3, T0 + 3_000),
    ];
    const out = s.ingest(2, [record(7, packed), record(8, [ev(4, T0 + 13_000)])], '18', WALL);
    expect(out.deadLetters.map((d) => [d.record.offset, d.item?.index, d.item && (JSON.parse(d.item.value) as { id: string }).id])).toEqual(
      [['7', 1, 'bad']],
    );
    expect(out.metrics.map((m) => [m.windowStart, m.count])).toEqual([[T0, 3]]);
    const checkpoint = decodeCheckpoint(out.commit?.metadata);
    expect(checkpoint?.eventsPerRecord).toBe(2.5); // 5 events in 2 records
    // 10 records behind the high watermark, at 2.5 events each: the next window reports 25 events of lag
    const later = s.ingest(2, [record(9, [ev(5, T0 + 25_000)])], '19', WALL);
    expect(later.metrics.map((m) => [m.windowStart, m.consumerLag])).toEqual([[T0 + 10_000, Math.round(9 * (0.8 * 2.5 + 0.2 * 1))]]);
  });

  it('dead-letters an unreadable record whole', () => {
    const out = new WindowsService(config).ingest(2, [record(3, '[]'), record(4, '{')], '5', WALL);
    expect(out.deadLetters.map((d) => [d.record.offset, d.error.slice(0, 8), d.item])).toEqual([
      ['3', 'an empty', undefined],
      ['4', 'not JSON', undefined],
    ]);
  });

  it("dead-letters an event dated beyond the future bound with the reason, and counts it without touching the partition's windows", () => {
    const s = new WindowsService(config);
    const now = T0 + 5_000;
    const far = { v: 1, id: 'far', service: 'intruder', type: 'request', time: now + 3_540_000 };
    const near = { v: 1, id: 'near', service: 'intruder', type: 'request', time: now + 119_000 };
    const out = s.ingest(2, [event(0, T0 + 1_000), record(1, [far, near]), event(2, T0 + 4_000), event(3, T0 + 12_500)], '4', T0 + 12_600);
    expect(out.deadLetters.map((d) => [d.record.offset, d.item?.index, d.error])).toEqual([
      [
        '1',
        0,
        `event time ${new Date(far.time).toISOString()} is 3532 s ahead of the aggregator's clock (at most 120 s, SMARTSCALE_AGGREGATOR_MAX_FUTURE_MS)`,
      ],
    ]);
    expect([out.refused, out.ahead, out.late]).toEqual([1, 1, 0]);
    expect(out.metrics.map((m) => [m.service, m.windowStart, m.count])).toEqual([['checkout', T0, 2]]);
    expect(decodeCheckpoint(out.commit?.metadata)?.streamTime).toBe(T0 + 12_500);
  });

  it('counts the services it forgets after their idle time', () => {
    const s = new WindowsService({ windows: { ...config.windows, serviceIdleMs: 10_000 } } as AggregatorConfig);
    const invented = [...Array(50).keys()].map((i) =>
      record(i, { v: 1, id: `i${i}`, service: `invented-${i}`, type: 'request', time: T0 + 1_000 }),
    );
    s.ingest(2, invented, '50', WALL);
    expect(s.serviceCount()).toBe(50);
    const out = s.ingest(2, [event(50, T0 + 45_000)], '51', WALL);
    expect(out.servicesEvicted).toBe(50);
    expect(s.serviceCount()).toBe(1);
  });

  it('resumed from a checkpoint, does not send again the dead letters of the records it replays', () => {
    const first = new WindowsService(config);
    const step = first.ingest(2, [event(0, T0 + 1_000), record(1, 'not json'), event(2, T0 + 5_000)], '3', WALL);
    expect(step.deadLetters).toHaveLength(1);
    expect(step.commit?.offset).toBe('0'); // the open window still needs offset 0: a restart replays the dead letter's record
    const resumed = new WindowsService(config);
    resumed.resume(2, decodeCheckpoint(step.commit?.metadata), WALL);
    const replay = resumed.ingest(2, [event(0, T0 + 1_000), record(1, 'not json'), event(2, T0 + 5_000), record(3, '{')], '4', WALL);
    expect(replay.deadLetters.map((d) => d.record.offset)).toEqual(['3']);
  });
});
