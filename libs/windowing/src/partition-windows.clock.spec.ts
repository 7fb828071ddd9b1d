import type { TelemetryEvent } from '@smartscale/contracts';
import { decodeCheckpoint, encodeCheckpoint, PartitionWindows, PartitionWindowsOptions } from './partition-windows';
import { hopping, tumbling } from './windows';

// Fixed timestamps: WALL is the processing clock, a multiple of the 10 s window.
const WALL = 1_700_000_000_000;
const S = 1_000;
let seq = 0;
const ev = (time: number, service = 'checkout'): TelemetryEvent => ({ v: 1, id: `e${seq++}`, service, type: 'request', time });
const clock = { maxStreamLeadMs: 0, maxFutureMs: 120 * S };
const options: PartitionWindowsOptions = { spec: tumbling(10 * S, 2 * S), serviceIdleMs: 60 * S, partitionIdleMs: 5 * S, clock };
const show = (p: PartitionWindows, wallNow: number): string[] =>
  p.closeReady(wallNow).map((a) => `${a.service}@${(a.start - WALL) / S}:${a.toMetric(0, 0, 0).count}`);

/** Steady load on checkout: `perSecond` events each second of [from, to) s after WALL, each read 100 ms after its time. */
function steady(p: PartitionWindows, from: number, to: number, perSecond: number, offset: { n: number }): void {
  for (let t = from * S; t < to * S; t += S / perSecond) p.add(ev(WALL + t), String(offset.n++), WALL + t + 100);
}

describe(`${PartitionWindows.name} against the wall clock`, () => {
  it('does not let an event dated ahead of the wall clock move stream time, so a steady service keeps its true counts', () => {
    const p = new PartitionWindows(0, options);
    const offset = { n: 0 };
    steady(p, 0, 15, 20, offset);
    // Another service on the same partition, dated 119 s ahead (inside the future bound).
    expect(p.add(ev(WALL + 134 * S, 'intruder'), String(offset.n++), WALL + 15 * S)).toBe('ahead');
    expect(p.currentStreamTime).toBeLessThanOrEqual(WALL + 15 * S);
    steady(p, 15, 40, 20, offset);
    expect(p.lateCount).toBe(0);
    expect(show(p, WALL + 40 * S)).toEqual(['checkout@0:200', 'checkout@10:200', 'checkout@20:200']);
    expect(p.aheadCount).toBe(1);
  });

  it('while a backlog is read, an event dated ahead of the clock leaves the backlog on time', () => {
    const p = new PartitionWindows(0, options);
    // Read 80 s after their time: ten events a second for 20 s, with one of another service dated 10 s ahead of that clock.
    for (let i = 0; i < 200; i++) {
      p.add(ev(WALL + i * 100), String(i), WALL + 80 * S);
      if (i === 50) expect(p.add(ev(WALL + 90 * S, 'intruder'), String(1_000 + i), WALL + 80 * S)).toBe('ahead');
    }
    expect(p.lateCount).toBe(0);
    expect(show(p, WALL + 80 * S)).toEqual(['checkout@0:100']);
  });

  it('refuses an event dated beyond the future bound and keeps nothing of it', () => {
    const p = new PartitionWindows(0, options);
    p.add(ev(WALL + S), '0', WALL + S);
    expect(p.add(ev(WALL + S + 3_540 * S, 'intruder'), '1', WALL + S)).toBe('refused');
    expect([p.refusedCount, p.serviceCount, p.currentStreamTime]).toEqual([1, 1, WALL + S]);
  });

  it('never emits a window whose end is after the wall clock, even when stream time passed it', () => {
    const p = new PartitionWindows(0, { ...options, clock: null }); // event time alone lets stream time run ahead
    p.add(ev(WALL + S), '0', WALL + S);
    p.add(ev(WALL + 3_600 * S, 'intruder'), '1', WALL + 2 * S);
    expect(show(p, WALL + 12 * S)).toEqual(['checkout@0:1']);
    expect(show(p, WALL + 25 * S)).toEqual(['checkout@10:0']);
  });

  it('clamps a checkpoint whose stream time is ahead of the wall clock and re-opens the windows it closed early', () => {
    // What a process without the bound committed after one event dated an hour ahead.
    const poisoned = encodeCheckpoint({ streamTime: WALL + 3_600 * S, closedBefore: WALL + 3_590 * S, position: '500' });
    const p = PartitionWindows.resume(0, options, decodeCheckpoint(poisoned), WALL);
    expect(p.healedFrom).toBe(WALL + 3_600 * S);
    expect(p.currentStreamTime).toBe(WALL);
    const offset = { n: 500 };
    steady(p, 0, 25, 10, offset);
    expect(p.lateCount).toBe(0);
    expect(show(p, WALL + 25 * S)).toEqual(['checkout@0:100', 'checkout@10:100']);
    expect(p.checkpoint().streamTime).toBeLessThanOrEqual(WALL + 25 * S);
  });

  it('keeps a sound checkpoint as it is', () => {
    const sound = { streamTime: WALL - 2 * S, closedBefore: WALL - 20 * S, position: '7' };
    const p = PartitionWindows.resume(0, options, sound, WALL);
    expect([p.healedFrom, p.currentStreamTime, p.checkpoint().closedBefore]).toEqual([null, WALL - 2 * S, WALL - 20 * S]);
  });

  it('replays records before the checkpoint position without moving stream time again, so they count as they did', () => {
    const first = new PartitionWindows(0, options);
    first.add(ev(WALL + S), '0', WALL + 1_100);
    first.add(ev(WALL + 60 * S, 'intruder'), '1', WALL + 1_200); // held: dated ahead of the clock
    const late = ev(WALL + 2 * S);
    expect(first.add(late, '2', WALL + 2_100)).toBe('accepted');
    const committed = { ...first.checkpoint(), position: '3' };
    // A restart 100 s later replays from offset 0: the intruder is no longer ahead of the clock.
    const resumed = PartitionWindows.resume(0, options, decodeCheckpoint(encodeCheckpoint(committed)), WALL + 100 * S);
    resumed.add(ev(WALL + S), '0', WALL + 100 * S);
    resumed.add(ev(WALL + 60 * S, 'intruder'), '1', WALL + 100 * S);
    expect(resumed.add({ ...late }, '2', WALL + 100 * S)).toBe('accepted');
    expect(resumed.currentStreamTime).toBe(first.currentStreamTime);
  });

  it('forgets a service idle for serviceIdleMs and counts it: 5,000 invented names stop getting zero windows', () => {
    const p = new PartitionWindows(0, options);
    const offset = { n: 0 };
    for (let i = 0; i < 5_000; i++) p.add(ev(WALL + S, `invented-${i}`), String(offset.n++), WALL + 1_100);
    steady(p, 1, 100, 2, offset);
    const closed = p.closeReady(WALL + 100 * S);
    const invented = closed.filter((a) => a.service.startsWith('invented-'));
    // Their own window, then zero windows for 60 s (serviceIdleMs) after their last event, then nothing.
    expect(Math.max(...invented.map((a) => a.start))).toBe(WALL + 60 * S);
    expect(invented).toHaveLength(5_000 * 7);
    expect(p.evictedServices).toBe(5_000);
    expect(p.serviceCount).toBe(1);
  });

  it('jumps a quiet stretch: a very old first event does not walk every window from 1970 to today', () => {
    const p = new PartitionWindows(0, { ...options, hopping: hopping(60 * S, 10 * S, 2 * S) });
    expect(p.add(ev(5 * S, 'ancient'), '0', WALL)).toBe('accepted');
    p.add(ev(WALL + S), '1', WALL + 1_100);
    p.add(ev(WALL + 13 * S), '2', WALL + 13_100);
    const began = Date.now();
    const closed = p.closeReady(WALL + 14 * S);
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(closed.filter((a) => a.service === 'checkout').map((a) => `${a.kind}@${(a.start - WALL) / S}:${a.tally.count}`)).toEqual([
      'tumbling@0:1',
      'hopping@-50:1',
    ]);
    // Once stream time is today, an old event is late and leaves no state behind.
    const services = p.serviceCount;
    expect(p.add(ev(10 * S, 'ancient-2'), '3', WALL + 14 * S)).toBe('late');
    expect(p.serviceCount).toBe(services);
  });
});
