import { createServiceModel } from './service-model';

const WINDOW_MS = 10_000;
const T0 = Date.parse('2026-12-06T08:00:00Z');
/** A 4-minute cycle of 10 s windows (24 windows): between 20 and 120 events/s, with a deterministic wiggle. */
const cycle = (i: number): number => 70 + 50 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7) % 5) - 2;

describe('createServiceModel', () => {
  it('finds a cycle nobody configured and forecasts the next rise from it', () => {
    const model = createServiceModel(WINDOW_MS, [360, 8640]);
    expect(model.periods).toEqual([360, 8640]); // hints, until the data decides
    for (let i = 0; i < 5 * 24; i++) model.observe(T0 + i * WINDOW_MS, cycle(i));
    expect(model.periods).toEqual([24, 360, 8640]);
    expect(model.intervalCoverage).toBe(0.8);
    // At the trough, the next six windows rise by ~40 events/s: a forecast that knows the cycle says so.
    const last = 5 * 24 - 1;
    const ahead = model.forecast(6);
    const truth = Array.from({ length: 6 }, (_, h) => cycle(last + 1 + h));
    ahead.forEach((p, h) => expect(Math.abs(p.eventsPerSecond - truth[h])).toBeLessThan(8));
    expect(ahead[5].eventsPerSecond - model.lastValue).toBeGreaterThan(20);
  });

  it('drops hints the data never showed once two of their cycles have passed', () => {
    const model = createServiceModel(WINDOW_MS, [30], 100);
    let seed = 42;
    const noise = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let i = 0; i < 2 * 30 + 61; i++) model.observe(T0 + i * WINDOW_MS, 50 + 10 * noise());
    expect(model.periods).toEqual([]);
  });

  it('counts the windows it learned as its history, filled gaps included, from scratch after an outage', () => {
    const model = createServiceModel(WINDOW_MS, []);
    expect(model.historyWindows).toBe(0);
    for (let i = 0; i < 3; i++) model.observe(T0 + i * WINDOW_MS, 90);
    expect(model.historyWindows).toBe(3);
    model.observe(T0 + 2 * WINDOW_MS, 90); // a repeat teaches nothing
    model.observe(T0 + 10 * WINDOW_MS, 90); // seven missing windows are learned as zero windows
    expect(model.historyWindows).toBe(11);
    model.observe(T0 + 10 * WINDOW_MS + 2 * 3_600_000, 90); // two hours later the series starts over
    expect(model.historyWindows).toBe(1);
  });

  it('starts the search for periods over after an outage longer than the gap it fills', () => {
    const model = createServiceModel(WINDOW_MS, []);
    for (let i = 0; i < 5 * 24; i++) model.observe(T0 + i * WINDOW_MS, cycle(i));
    expect(model.periods).toEqual([24]);
    // two hours later the service is back with a flat load: the old cycle is no longer claimed
    const back = T0 + 5 * 24 * WINDOW_MS + 2 * 3_600_000;
    for (let i = 0; i < 60; i++) model.observe(back + i * WINDOW_MS, 50);
    expect(model.periods).toEqual([]);
  });
});
