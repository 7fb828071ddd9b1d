import { cappedLag, executorDecision, KedaKafkaSpec } from './keda';

const spec: KedaKafkaSpec = { lagThreshold: 5, activationLagThreshold: 0, pollingIntervalSeconds: 30, cooldownPeriodSeconds: 300, minReplicaCount: 0, partitions: 10 };

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
