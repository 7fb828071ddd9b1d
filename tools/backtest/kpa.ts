import { SimConfig } from './config';
import { Autoscaler, ClusterState, MetricsView } from './simulator';

/**
 * Knative's KPA, re-implemented from knative/serving pkg/autoscaler/scaling/autoscaler.go (Scale)
 * with the config-autoscaler defaults (pkg/autoscaler/config): RPS metric class.
 */
export interface KpaSpec {
  /** RPS per pod aimed for: target × target-utilisation */
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

export function kpaSpecFor(config: SimConfig): KpaSpec {
  return {
    targetValue: config.capacityPerReplica * config.targetUtilisation,
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
  stableRps: number;
  panicRps: number;
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
    const dspc = Math.ceil(o.stableRps / spec.targetValue);
    const dppc = Math.ceil(o.panicRps / spec.targetValue);
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
  private readonly decider: KpaDecider;

  constructor(private readonly spec: KpaSpec) {
    this.decider = new KpaDecider(spec);
  }

  desiredReplicas(metrics: MetricsView, cluster: ClusterState): number {
    const t = metrics.visibleUntil;
    if (t <= 0) return cluster.desired; // autoscaler.go: no data yet, so no scale decision
    // The KPA counts requests as they arrive (queue-proxy / activator), not as they are served.
    return this.decider.scale({
      now: metrics.now,
      stableRps: metrics.arrivalRate(t - this.spec.stableWindowSeconds, t),
      panicRps: metrics.arrivalRate(t - this.spec.panicWindowSeconds, t),
      readyPods: cluster.ready,
    });
  }
}
