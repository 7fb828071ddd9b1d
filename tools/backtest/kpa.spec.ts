import { KpaDecider, KpaSpec } from './kpa';

const spec: KpaSpec = { targetValue: 10, stableWindowSeconds: 60, panicWindowSeconds: 6, panicThreshold: 2, maxScaleUpRate: 1000, maxScaleDownRate: 2, minScale: 1, maxScale: 100 };

describe(KpaDecider.name, () => {
  it('follows the stable window below the panic threshold', () => {
    const kpa = new KpaDecider(spec);
    // dppc = 3 on 2 ready pods: 150 % < 200 %, so stable: ceil(30 / 10) = 3
    expect(kpa.scale({ now: 0, stableRps: 30, panicRps: 30, readyPods: 2 })).toBe(3);
    expect(kpa.panicking).toBe(false);
  });

  it('panics at 200 % of the ready pods and does not scale down for a stable window', () => {
    const kpa = new KpaDecider(spec);
    // dppc = ceil(45 / 10) = 5 on 2 pods = 250 % ≥ 200 %: panic, follow the panic window
    expect(kpa.scale({ now: 0, stableRps: 12, panicRps: 45, readyPods: 2 })).toBe(5);
    expect(kpa.panicking).toBe(true);
    // load falls back, but panic holds the highest panic recommendation
    expect(kpa.scale({ now: 2, stableRps: 10, panicRps: 20, readyPods: 5 })).toBe(5);
    expect(kpa.scale({ now: 60, stableRps: 10, panicRps: 10, readyPods: 5 })).toBe(5);
    // more than 60 s after the last over-threshold tick: stable again, scale-down limited to
    // floor(5 ready / rate 2) = 2
    expect(kpa.scale({ now: 62, stableRps: 10, panicRps: 10, readyPods: 5 })).toBe(2);
    expect(kpa.panicking).toBe(false);
  });

  it('caps scale-up at maxScaleUpRate × ready pods', () => {
    const kpa = new KpaDecider({ ...spec, maxScaleUpRate: 10, panicThreshold: 1000 });
    expect(kpa.scale({ now: 0, stableRps: 500, panicRps: 500, readyPods: 1 })).toBe(10);
  });
});
