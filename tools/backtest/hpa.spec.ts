import { DEFAULT_SIM_CONFIG, SimConfig } from './config';
import { DEFAULT_HPA_BEHAVIOR, HpaBehavior, HpaCpuAutoscaler, HpaRateAutoscaler, perPodValueReplicas, utilisationReplicas } from './hpa';
import { MetricsView } from './simulator';

describe(utilisationReplicas.name, () => {
  // Kubernetes docs (HPA "Algorithm details"): desired = ceil(current × currentMetric / desiredMetric).
  it('doubles the replicas when the metric is twice the target', () => {
    expect(utilisationReplicas(2, 2, 0, 2 * 1.0, 0.5)).toBe(4);
  });

  it('halves the replicas when the metric is half the target', () => {
    expect(utilisationReplicas(4, 4, 0, 4 * 0.25, 0.5)).toBe(2);
  });

  it('keeps the scale when the ratio is within the 0.1 tolerance', () => {
    // 3 pods at 73.3 % against 70 %: ratio 1.048
    expect(utilisationReplicas(3, 3, 0, 2.2, 0.7)).toBe(3);
    // 3 pods at 80 % against 70 %: ratio 1.143, outside the band → ceil(1.143 × 3) = 4
    expect(utilisationReplicas(3, 3, 0, 2.4, 0.7)).toBe(4);
  });

  it('counts unready pods as idle when scaling up and skips a scale-up they already cover', () => {
    // 2 ready pods at 100 % against 50 % would ask for 4; with 2 pods still starting the
    // recomputed ratio is 2 / (4 × 0.5) = 1, inside the tolerance: keep the 4 already requested.
    expect(utilisationReplicas(4, 2, 2, 2.0, 0.5)).toBe(4);
    // Load high enough that even with the starting pods at 0 % more are needed: 4 × 1.5 / 0.5 → 6 / (4 × 0.5) = 1.5 → 6.
    expect(utilisationReplicas(4, 2, 2, 3.0, 0.5)).toBe(6);
  });
});

describe(perPodValueReplicas.name, () => {
  it('divides the metric total by the per-pod target outside the tolerance', () => {
    expect(perPodValueReplicas(2, 23, 5)).toBe(5);
  });

  it('keeps the scale inside the tolerance', () => {
    expect(perPodValueReplicas(2, 10.5, 5)).toBe(2);
  });
});

describe(HpaBehavior.name, () => {
  const behavior = (): HpaBehavior => new HpaBehavior({ minReplicas: 1, maxReplicas: 100, ...DEFAULT_HPA_BEHAVIOR });

  it('scales down only when the higher recommendation leaves the 300 s stabilisation window', () => {
    const hpa = behavior();
    expect(hpa.normalize(0, 10, 10)).toBe(10);
    for (let t = 15; t < 300; t += 15) expect(hpa.normalize(t, 10, 4)).toBe(10);
    expect(hpa.normalize(300, 10, 4)).toBe(4);
  });

  it('limits a scale-up to max(100 %, 4 pods) per 15 s period', () => {
    const hpa = behavior();
    expect(hpa.normalize(0, 2, 20)).toBe(6); // max(2 × 2, 2 + 4)
    expect(hpa.normalize(5, 6, 20)).toBe(6); // 4 already added in this period
    expect(hpa.normalize(15, 6, 20)).toBe(12); // the event at 0 is not after the cutoff: max(12, 10)
    expect(hpa.normalize(30, 12, 20)).toBe(20);
  });

  it('never leaves [min, max]', () => {
    const hpa = new HpaBehavior({ minReplicas: 2, maxReplicas: 5, ...DEFAULT_HPA_BEHAVIOR });
    expect(hpa.normalize(0, 4, 50)).toBe(5);
    expect(hpa.normalize(400, 5, 0)).toBe(2);
  });
});

describe('HPA on the ingest rate against HPA on CPU', () => {
  const config: SimConfig = { ...DEFAULT_SIM_CONFIG, rebalanceSeconds: 0 };
  const view = (now: number, rate: number, served: number): MetricsView => ({
    now,
    visibleUntil: now - config.hpaMetricsAgeSeconds,
    lagVisibleUntil: now - config.hpaMetricsAgeSeconds,
    arrivalRate: () => rate,
    servedRate: () => served,
    concurrency: () => 0,
    backlogAt: () => 0,
  });

  it('sees a saturated deployment in full on the rate, where CPU reads at most 100 %', () => {
    // one replica serving its 100 ev/s while 500 ev/s arrive
    const cluster = { desired: 1, ready: 1, starting: 0 };
    // the rate asks for ceil(500 / 70) = 8, limited by the default scale-up rule to max(2 × 1, 1 + 4)
    expect(new HpaRateAutoscaler(config).desiredReplicas(view(120, 500, 100), cluster)).toBe(5);
    expect(new HpaCpuAutoscaler(config).desiredReplicas(view(120, 500, 100), cluster)).toBe(2); // ceil(1.0 / 0.7)
  });

  it('holds until a full rate window is visible, and scales on its own target utilisation', () => {
    const cluster = { desired: 3, ready: 3, starting: 0 };
    expect(
      new HpaRateAutoscaler(config).desiredReplicas(view(config.hpaRateWindowSeconds + config.hpaMetricsAgeSeconds - 1, 500, 100), cluster),
    ).toBe(3);
    const eight = { desired: 8, ready: 8, starting: 0 };
    expect(new HpaRateAutoscaler(config).desiredReplicas(view(120, 500, 100), eight)).toBe(8);
    expect(new HpaRateAutoscaler(config, 0.5).desiredReplicas(view(120, 500, 100), eight)).toBe(10);
    expect(new HpaRateAutoscaler(config).dataAge).toEqual({ metricsSeconds: 15, lagSeconds: 15 });
  });
});
