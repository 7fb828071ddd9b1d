import { SimConfig } from './config';
import { DEFAULT_HPA_BEHAVIOR, HpaBehavior, perPodValueReplicas } from './hpa';
import { Autoscaler, ClusterState, DataAge, MetricsView } from './simulator';

/**
 * KEDA's Kafka scaler driving an HPA, re-implemented from kedacore/keda
 * pkg/scalers/kafka_scaler.go (lag metric, activation, partition cap) and
 * pkg/scaling/executor/scale_scaledobjects.go (0 ↔ 1 with cooldown; 1 ↔ N is left to the HPA).
 */
export interface KedaKafkaSpec {
  /** average lag per replica the HPA aims for (AverageValue target) */
  lagThreshold: number;
  /** lag at or below this makes the scaler inactive (default 0) */
  activationLagThreshold: number;
  /** how often KEDA itself polls for activation (default 30 s) */
  pollingIntervalSeconds: number;
  /** inactive time before scaling to zero (default 300 s) */
  cooldownPeriodSeconds: number;
  minReplicaCount: number;
  /** topic partitions: without allowIdleConsumers, replicas never exceed this */
  partitions: number;
}

/**
 * Lag is backlog plus events in flight: a consumer that keeps up still lags by about one fetch.
 * We model that as one second of arrivals, so lagThreshold = capacity × target utilisation × 1 s
 * asks for the same utilisation as the HPA and KPA targets.
 */
export function kedaSpecFor(config: SimConfig, targetUtilisation = config.targetUtilisation): KedaKafkaSpec {
  return {
    lagThreshold: config.capacityPerReplica * targetUtilisation,
    activationLagThreshold: 0,
    pollingIntervalSeconds: 30,
    cooldownPeriodSeconds: 300,
    minReplicaCount: config.minReplicas,
    partitions: 48,
  };
}

/** kafka_scaler.go getTotalLag: without allowIdleConsumers the lag is capped at partitions × threshold. */
export function cappedLag(totalLag: number, spec: KedaKafkaSpec): number {
  return totalLag / spec.lagThreshold > spec.partitions ? spec.partitions * spec.lagThreshold : totalLag;
}

/** scale_scaledobjects.go: the executor's own decision; null leaves the replica count to the HPA. */
export function executorDecision(current: number, active: boolean, lastActiveAt: number, now: number, spec: KedaKafkaSpec): number | null {
  if (current === 0 && active) return Math.max(spec.minReplicaCount, 1);
  const cooledDown = now - lastActiveAt >= spec.cooldownPeriodSeconds;
  if (current > 0 && !active && spec.minReplicaCount === 0 && cooledDown) return 0;
  return null;
}

/**
 * The HPA asks KEDA's metrics server for the lag on every sync, and the Kafka scaler fetches the
 * offsets then (no cache by default): the lag it scales on is about live (`kafkaLagAgeSeconds`).
 */
export class KedaKafkaAutoscaler implements Autoscaler {
  /** the HPA's sync period; KEDA's polling is every second tick of it */
  readonly periodSeconds = 15;
  readonly dataAge: DataAge;
  private readonly hpa: HpaBehavior;
  private lastActiveAt = 0;

  constructor(
    private readonly spec: KedaKafkaSpec,
    config: SimConfig,
  ) {
    this.dataAge = { metricsSeconds: config.kafkaLagAgeSeconds, lagSeconds: config.kafkaLagAgeSeconds };
    // KEDA creates the HPA with minReplicas ≥ 1; the executor owns 0.
    const maxReplicas = Math.min(config.maxReplicas, spec.partitions);
    this.hpa = new HpaBehavior({ minReplicas: Math.max(1, spec.minReplicaCount), maxReplicas, ...DEFAULT_HPA_BEHAVIOR });
  }

  desiredReplicas(metrics: MetricsView, cluster: ClusterState): number {
    const t = metrics.lagVisibleUntil;
    if (t <= 0) return cluster.desired; // nothing scraped yet: the metrics adapter has no value
    const lag = cappedLag(metrics.backlogAt(t) + metrics.arrivalRate(t - 1, t), this.spec);
    if (metrics.now % this.spec.pollingIntervalSeconds === 0) {
      const active = lag > this.spec.activationLagThreshold;
      if (active) this.lastActiveAt = metrics.now;
      const decided = executorDecision(cluster.desired, active, this.lastActiveAt, metrics.now, this.spec);
      if (decided !== null) return decided;
    }
    if (cluster.desired === 0) return 0;
    const raw = perPodValueReplicas(cluster.desired, lag, this.spec.lagThreshold);
    return this.hpa.normalize(metrics.now, cluster.desired, raw);
  }
}
