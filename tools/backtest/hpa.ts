import { SimConfig } from './config';
import { Autoscaler, ClusterState, DataAge, MetricsView } from './simulator';

/**
 * Kubernetes HPA v2, re-implemented from kubernetes/kubernetes
 * pkg/controller/podautoscaler/replica_calculator.go (the ratio rule) and
 * pkg/controller/podautoscaler/horizontal.go (behaviours: stabilisation windows and rate policies).
 */

/** k8s default `--horizontal-pod-autoscaler-tolerance`. */
export const HPA_TOLERANCE = 0.1;

/**
 * replica_calculator.go GetResourceReplicas/calcPlainMetricReplicas for a utilisation metric.
 * `usageSum` is the summed utilisation (1.0 = one pod fully busy) of the ready pods.
 * When scaling up, unready pods count as 0 % used: that is what stops the HPA from piling replicas
 * on top of ones still starting (the "rebalanceIgnored" branch).
 */
export function utilisationReplicas(
  current: number,
  ready: number,
  unready: number,
  usageSum: number,
  target: number,
  tolerance = HPA_TOLERANCE,
): number {
  if (ready === 0) return current; // no metrics: horizontal.go keeps the scale and reports an error
  const usageRatio = usageSum / ready / target;
  const rebalanceIgnored = unready > 0 && usageRatio > 1;
  if (!rebalanceIgnored) {
    if (Math.abs(1 - usageRatio) <= tolerance) return current;
    return Math.ceil(usageRatio * ready);
  }
  const newRatio = usageSum / ((ready + unready) * target);
  if (Math.abs(1 - newRatio) <= tolerance || newRatio < 1) return current;
  const next = Math.ceil(newRatio * (ready + unready));
  return next < current ? current : next;
}

/** replica_calculator.go GetExternalPerPodMetricReplicas: an AverageValue target (what KEDA emits). */
export function perPodValueReplicas(statusReplicas: number, metricTotal: number, targetPerPod: number, tolerance = HPA_TOLERANCE): number {
  const usageRatio = statusReplicas > 0 ? metricTotal / (targetPerPod * statusReplicas) : Infinity;
  if (Math.abs(1 - usageRatio) <= tolerance) return statusReplicas;
  return Math.ceil(metricTotal / targetPerPod);
}

export interface ScalingRule {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface HpaBehaviorSpec {
  minReplicas: number;
  maxReplicas: number;
  scaleUpStabilisationSeconds: number;
  scaleDownStabilisationSeconds: number;
  /** combined with selectPolicy Max, as in the defaults */
  scaleUpRules: ScalingRule[];
}

/** The autoscaling/v2 defaults (horizontal.go / pkg/apis/autoscaling/v2/defaults.go). */
export const DEFAULT_HPA_BEHAVIOR = {
  scaleUpStabilisationSeconds: 0,
  scaleDownStabilisationSeconds: 300,
  scaleUpRules: [
    { type: 'Percent', value: 100, periodSeconds: 15 },
    { type: 'Pods', value: 4, periodSeconds: 15 },
  ] as ScalingRule[],
};

/**
 * horizontal.go normalizeDesiredReplicasWithBehaviors: stabilise the raw recommendation over the
 * windows, then limit the scale-up rate by the replicas already added in each rule's period.
 * The default scale-down rule (100 % per 15 s) never binds, so only the floor is applied there.
 */
export class HpaBehavior {
  private recommendations: { at: number; replicas: number }[] = [];
  private scaleUpEvents: { at: number; added: number }[] = [];

  constructor(private readonly spec: HpaBehaviorSpec) {}

  normalize(now: number, current: number, raw: number): number {
    const stabilised = this.stabilise(now, current, raw);
    let desired = stabilised;
    if (desired > current) desired = Math.min(desired, this.scaleUpLimit(now, current), this.spec.maxReplicas);
    desired = Math.max(this.spec.minReplicas, Math.min(desired, this.spec.maxReplicas));
    if (desired > current) this.scaleUpEvents.push({ at: now, added: desired - current });
    return desired;
  }

  private stabilise(now: number, current: number, raw: number): number {
    const { scaleUpStabilisationSeconds: upWin, scaleDownStabilisationSeconds: downWin } = this.spec;
    let up = raw;
    let down = raw;
    for (const r of this.recommendations) {
      if (r.at > now - upWin) up = Math.min(up, r.replicas);
      if (r.at > now - downWin) down = Math.max(down, r.replicas);
    }
    const keep = Math.max(upWin, downWin);
    this.recommendations = this.recommendations.filter((r) => r.at > now - keep);
    this.recommendations.push({ at: now, replicas: raw });
    let result = current;
    if (result < up) result = up;
    if (result > down) result = down;
    return result;
  }

  /** calculateScaleUpLimitWithScalingRules with selectPolicy Max: the most permissive rule wins. */
  private scaleUpLimit(now: number, current: number): number {
    let limit = -Infinity;
    for (const rule of this.spec.scaleUpRules) {
      // horizontal.go counts events strictly after the cutoff (`timestamp.After(cutoff)`).
      const added = this.scaleUpEvents.filter((e) => e.at > now - rule.periodSeconds).reduce((s, e) => s + e.added, 0);
      const periodStart = current - added;
      const proposed = rule.type === 'Pods' ? periodStart + rule.value : Math.ceil(periodStart * (1 + rule.value / 100));
      limit = Math.max(limit, proposed);
    }
    const longest = Math.max(...this.spec.scaleUpRules.map((r) => r.periodSeconds));
    this.scaleUpEvents = this.scaleUpEvents.filter((e) => e.at > now - longest);
    return Math.max(limit, current);
  }
}

/**
 * What both HPA rows share: horizontal.go's 15 s sync, metrics as old as the metrics pipeline makes
 * them, and the behavior (tolerance, stabilisation, rate limits) applied to the metric's raw answer.
 */
abstract class HpaAutoscaler implements Autoscaler {
  readonly periodSeconds = 15; // --horizontal-pod-autoscaler-sync-period default
  readonly dataAge: DataAge;
  private readonly behavior: HpaBehavior;

  constructor(
    protected readonly config: SimConfig,
    protected readonly targetUtilisation = config.targetUtilisation,
  ) {
    this.dataAge = { metricsSeconds: config.hpaMetricsAgeSeconds, lagSeconds: config.hpaMetricsAgeSeconds };
    this.behavior = new HpaBehavior({ minReplicas: config.minReplicas, maxReplicas: config.maxReplicas, ...DEFAULT_HPA_BEHAVIOR });
  }

  /** The metric's replica count before the behavior, or null when it has no full window yet (the scale is left alone). */
  protected abstract rawReplicas(metrics: MetricsView, cluster: ClusterState): number | null;

  desiredReplicas(metrics: MetricsView, cluster: ClusterState): number {
    const raw = this.rawReplicas(metrics, cluster);
    return raw === null ? cluster.desired : this.behavior.normalize(metrics.now, cluster.desired, raw);
  }
}

/**
 * HPA on CPU utilisation (the `hpa_cpu` row). CPU measures work done, so a saturated deployment
 * reads at most 100 % and the HPA grows by at most 1/target per sync: that is the real behaviour,
 * not a handicap we added. The metric is the last 15 s (metrics-server resolution), 15 s old.
 */
export class HpaCpuAutoscaler extends HpaAutoscaler {
  protected rawReplicas(metrics: MetricsView, cluster: ClusterState): number | null {
    // No full metrics window yet: horizontal.go fails to get metrics and leaves the scale alone.
    if (metrics.visibleUntil < 15) return null;
    const served = metrics.servedRate(metrics.visibleUntil - 15, metrics.visibleUntil);
    const usageSum = served / this.config.capacityPerReplica;
    return utilisationReplicas(cluster.desired, cluster.ready, cluster.starting, usageSum, this.targetUtilisation);
  }
}

/**
 * HPA on the ingest rate as an External metric with an AverageValue target (the `hpa` row, the
 * usual setup for a Kafka consumer): replica_calculator.go GetExternalPerPodMetricReplicas divides
 * the total rate by the target per pod, with the 0.1 tolerance against the current count. Unlike
 * CPU, the rate is not capped by what the replicas serve, so a saturated deployment is seen in full.
 * The rate is averaged over `hpaRateWindowSeconds` and is `hpaMetricsAgeSeconds` old.
 */
export class HpaRateAutoscaler extends HpaAutoscaler {
  protected rawReplicas(metrics: MetricsView, cluster: ClusterState): number | null {
    const window = this.config.hpaRateWindowSeconds;
    if (metrics.visibleUntil < window) return null;
    const rate = metrics.arrivalRate(metrics.visibleUntil - window, metrics.visibleUntil);
    return perPodValueReplicas(cluster.desired, rate, this.config.capacityPerReplica * this.targetUtilisation);
  }
}
