import { DEFAULT_SIM_CONFIG, SimConfig } from './config';
import { cappedLag, executorDecision, KedaKafkaAutoscaler, KedaKafkaSpec, kedaSpecFor } from './keda';
import { MetricsView } from './simulator';

const spec: KedaKafkaSpec = {
  lagThreshold: 5,
  activationLagThreshold: 0,
  pollingIntervalSeconds: 30,
  cooldownPeriodSeconds: 300,
  minReplicaCount: 0,
  partitions: 10,
};

describe(executorDecision.name, () => {
  it('activates a scaled-to-zero target when the lag exceeds the activation threshold', () => {
    expect(executorDecision(0, true, 0, 0, spec)).toBe(1);
    expect(executorDecision(0, true, 0, 0, { ...spec, minReplicaCount: 3 })).toBe(3);
  });

  it('leaves a zero target at zero while inactive, and a running one to the HPA while active', () => {
    expect(executorDecision(0, false, 0, 30, spec)).toBeNull();
    expect(executorDecision(4, true, 30, 30, spec)).toBeNull();
  });

  it('scales to zero only after the cooldown period without activity', () => {
    expect(executorDecision(3, false, 0, 299, spec)).toBeNull();
    expect(executorDecision(3, false, 0, 300, spec)).toBe(0);
    expect(executorDecision(3, false, 0, 300, { ...spec, minReplicaCount: 1 })).toBeNull();
  });
});

describe(cappedLag.name, () => {
  it('caps the lag at partitions × lagThreshold so replicas never exceed partitions', () => {
    expect(cappedLag(100, spec)).toBe(50);
    expect(cappedLag(40, spec)).toBe(40);
  });
});

describe(KedaKafkaAutoscaler.name, () => {
  it('reads the lag about live (one second old) and sizes replicas by lag per replica', () => {
    const config: SimConfig = { ...DEFAULT_SIM_CONFIG };
    const read: number[] = [];
    const view: MetricsView = {
      now: 45,
      visibleUntil: 44,
      lagVisibleUntil: 44,
      arrivalRate: () => 70,
      servedRate: () => 70,
      concurrency: () => 0,
      backlogAt: (t) => {
        read.push(t);
        return 630;
      },
    };
    const keda = new KedaKafkaAutoscaler(kedaSpecFor(config), config);
    expect(keda.dataAge).toEqual({ metricsSeconds: 1, lagSeconds: 1 });
    // lag = 630 queued + 70 in flight = 700, 70 per replica → 10
    expect(keda.desiredReplicas(view, { desired: 1, ready: 1, starting: 0 })).toBe(5); // the HPA's scale-up limit: max(2 × 1, 1 + 4)
    expect(read).toEqual([44]);
    expect(kedaSpecFor(config, 0.5).lagThreshold).toBe(50);
  });
});
