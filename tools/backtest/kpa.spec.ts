import { DEFAULT_SIM_CONFIG, SimConfig } from './config';
import { KpaAutoscaler, KpaDecider, kpaSpecFor, KpaSpec } from './kpa';
import { MetricsView } from './simulator';

const spec: KpaSpec = {
  targetValue: 10,
  stableWindowSeconds: 60,
  panicWindowSeconds: 6,
  panicThreshold: 2,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
  minScale: 1,
  maxScale: 100,
};

describe(KpaDecider.name, () => {
  it('follows the stable window below the panic threshold', () => {
    const kpa = new KpaDecider(spec);
    // dppc = 3 on 2 ready pods: 150 % < 200 %, so stable: ceil(30 / 10) = 3
    expect(kpa.scale({ now: 0, stableConcurrency: 30, panicConcurrency: 30, readyPods: 2 })).toBe(3);
    expect(kpa.panicking).toBe(false);
  });

  it('panics at 200 % of the ready pods and does not scale down for a stable window', () => {
    const kpa = new KpaDecider(spec);
    // dppc = ceil(45 / 10) = 5 on 2 pods = 250 % ≥ 200 %: panic, follow the panic window
    expect(kpa.scale({ now: 0, stableConcurrency: 12, panicConcurrency: 45, readyPods: 2 })).toBe(5);
    expect(kpa.panicking).toBe(true);
    // load falls back, but panic holds the highest panic recommendation
    expect(kpa.scale({ now: 2, stableConcurrency: 10, panicConcurrency: 20, readyPods: 5 })).toBe(5);
    expect(kpa.scale({ now: 60, stableConcurrency: 10, panicConcurrency: 10, readyPods: 5 })).toBe(5);
    // more than 60 s after the last over-threshold tick: stable again, scale-down limited to
    // floor(5 ready / rate 2) = 2
    expect(kpa.scale({ now: 62, stableConcurrency: 10, panicConcurrency: 10, readyPods: 5 })).toBe(2);
    expect(kpa.panicking).toBe(false);
  });

  it('caps scale-up at maxScaleUpRate × ready pods', () => {
    const kpa = new KpaDecider({ ...spec, maxScaleUpRate: 10, panicThreshold: 1000 });
    expect(kpa.scale({ now: 0, stableConcurrency: 500, panicConcurrency: 500, readyPods: 1 })).toBe(10);
  });
});

describe(KpaAutoscaler.name, () => {
  const config: SimConfig = { ...DEFAULT_SIM_CONFIG };

  it('scales on concurrency, queued events included, read one second old', () => {
    const asked: [number, number][] = [];
    const view: MetricsView = {
      now: 100,
      visibleUntil: 99,
      lagVisibleUntil: 99,
      arrivalRate: () => 70,
      servedRate: () => 70,
      // 70 in flight plus 630 queued: 700 concurrent requests against a target of 70 per pod
      concurrency: (from, to) => {
        asked.push([from, to]);
        return 700;
      },
      backlogAt: () => 630,
    };
    const kpa = new KpaAutoscaler(kpaSpecFor(config), config);
    expect(kpa.dataAge.metricsSeconds).toBe(1);
    expect(kpa.desiredReplicas(view, { desired: 1, ready: 1, starting: 0 })).toBe(10);
    expect(asked).toEqual([
      [39, 99],
      [93, 99],
    ]);
  });

  it('targets the container-concurrency default at its utilisation, and pays no consumer-group rebalance', () => {
    expect(kpaSpecFor(config).targetValue).toBe(70); // 100 in flight at 100 % × 0.7
    expect(kpaSpecFor(config, 0.9).targetValue).toBe(90);
    expect(new KpaAutoscaler(kpaSpecFor(config), config).paysRebalances).toBe(false);
  });
});
