import { SimConfig } from './config';
import { Autoscaler, ClusterState, DataAge, MetricsView } from './simulator';

/**
 * Knative's KPA, re-implemented from knative/serving pkg/autoscaler/scaling/autoscaler.go (Scale)
 * with the config-autoscaler defaults (pkg/autoscaler/config): the concurrency metric, Knative's
 * default, which counts requests in flight and queued in each pod's queue-proxy.
 */
export interface KpaSpec {
  /** concurrency per pod aimed for: container-concurrency-target × target-utilisation */
  targetValue: number;
  stableWindowSeconds: number;
  panicWindowSeconds: number;
  /** 200 % → 2.0 */
  panicThreshold: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  minScale: number;
  maxScale: number;
}

/** A replica at 100 % holds capacity × request time events in flight (100 with the defaults: Knative's container-concurrency-target-default). */
export function kpaSpecFor(config: SimConfig, targetUtilisation = config.targetUtilisation): KpaSpec {
  return {
    targetValue: config.capacityPerReplica * config.requestSeconds * targetUtilisation,
    stableWindowSeconds: 60,
    panicWindowSeconds: 6,
    panicThreshold: 2,
    maxScaleUpRate: 1000,
    maxScaleDownRate: 2,
    // min-scale set to the shared floor, so scale-to-zero does not make the comparison unequal
    minScale: config.minReplicas,
    maxScale: config.maxReplicas,
  };
}

export interface KpaObservation {
  now: number;
  /** observed concurrency (all pods) averaged over the stable and the panic window */
  stableConcurrency: number;
  panicConcurrency: number;
  readyPods: number;
}

/** The decision state machine of autoscaler.go; pure apart from its panic memory. */
export class KpaDecider {
  private panicSince: number | null = null;
  private maxPanicPods = 0;

  constructor(private readonly spec: KpaSpec) {}

  get panicking(): boolean {
    return this.panicSince !== null;
  }

  scale(o: KpaObservation): number {
    const { spec } = this;
    const readyPods = Math.max(1, o.readyPods); // autoscaler.go: "readyPodsCount := math.Max(1, ...)"
    const maxScaleUp = Math.ceil(spec.maxScaleUpRate * readyPods);
    const maxScaleDown = spec.maxScaleDownRate > 0 ? Math.floor(readyPods / spec.maxScaleDownRate) : 0;
    const dspc = Math.ceil(o.stableConcurrency / spec.targetValue);
    const dppc = Math.ceil(o.panicConcurrency / spec.targetValue);
    const stablePods = Math.min(Math.max(dspc, maxScaleDown), maxScaleUp);
    const panicPods = Math.min(Math.max(dppc, maxScaleDown), maxScaleUp);
    const overPanicThreshold = dppc / readyPods >= spec.panicThreshold;
    if (overPanicThreshold) {
      this.panicSince = o.now; // entering, or extending, panic
    } else if (this.panicSince !== null && o.now > this.panicSince + spec.stableWindowSeconds) {
      this.panicSince = null;
      this.maxPanicPods = 0;
    }
    let desired = stablePods;
    if (this.panicSince !== null) {
      // In panic the KPA never scales down: it holds the highest panic recommendation.
      this.maxPanicPods = Math.max(this.maxPanicPods, panicPods);
      desired = this.maxPanicPods;
    }
    return Math.min(Math.max(desired, spec.minScale), spec.maxScale);
  }
}

export class KpaAutoscaler implements Autoscaler {
  readonly periodSeconds = 2; // tick-interval default
  readonly dataAge: DataAge;
  /**
   * Knative scales request-driven pods behind its queue-proxy; with Kafka in front, a KafkaSource
   * dispatcher is the consumer-group member and posts each event to them, so changing their count
   * rebalances no group (and its queue-proxy counts the events in flight and queued there).
   */
  readonly paysRebalances = false;
  private readonly decider: KpaDecider;

  constructor(
    private readonly spec: KpaSpec,
    config: SimConfig,
  ) {
    this.decider = new KpaDecider(spec);
    // The collector scrapes every pod's queue-proxy each second: the newest second is 1 s old.
    this.dataAge = { metricsSeconds: config.kpaMetricsAgeSeconds, lagSeconds: config.kpaMetricsAgeSeconds };
  }

  desiredReplicas(metrics: MetricsView, cluster: ClusterState): number {
    const t = metrics.visibleUntil;
    if (t <= 0) return cluster.desired; // autoscaler.go: no data yet, so no scale decision
    // Concurrency: requests being served plus those queued in the queue-proxy, so a backlog counts in full.
    return this.decider.scale({
      now: metrics.now,
      stableConcurrency: metrics.concurrency(t - this.spec.stableWindowSeconds, t),
      panicConcurrency: metrics.concurrency(t - this.spec.panicWindowSeconds, t),
      readyPods: cluster.ready,
    });
  }
}
