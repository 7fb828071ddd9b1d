import { SimConfig } from './config';
import { Autoscaler, DataAge, MetricsView, replicasFor } from './simulator';

const LIVE: DataAge = { metricsSeconds: 0, lagSeconds: 0 };

/** Provisioned once for the trace's peak at full capacity; it cannot be under-provisioned. */
export class StaticAutoscaler implements Autoscaler {
  readonly periodSeconds = 3600;
  readonly dataAge = LIVE;
  constructor(private readonly replicas: number) {}

  desiredReplicas(): number {
    return this.replicas;
  }
}

/**
 * Perfect foresight and free scaling, a reference: at t it holds enough replicas at 100 % for the
 * highest demand in [t, t + startup]. Replicas requested now are ready exactly when that demand
 * arrives, and the simulator removes the newest replicas first, so ready capacity never falls below
 * demand. It changes its count nearly every second, so it pays no rebalance: it is a bound only for
 * scaling that costs nothing, which no consumer group has.
 */
export class OracleAutoscaler implements Autoscaler {
  readonly periodSeconds = 1;
  readonly dataAge = LIVE;
  readonly paysRebalances = false;
  private readonly need: Int32Array;

  constructor(demand: Float64Array, config: SimConfig) {
    this.need = new Int32Array(demand.length);
    const window: number[] = []; // indices with decreasing demand: a sliding-window maximum
    for (let t = demand.length - 1; t >= 0; t--) {
      while (window.length > 0 && demand[window[window.length - 1]] <= demand[t]) window.pop();
      window.push(t);
      while (window[0] > t + config.startupSeconds) window.shift();
      this.need[t] = Math.max(config.minReplicas, replicasFor(demand[window[0]], config, 1));
    }
  }

  /** what the oracle starts with, so that it is covered before its first replicas can start */
  get initial(): number {
    return this.need[0];
  }

  desiredReplicas(metrics: MetricsView): number {
    return this.need[metrics.now];
  }
}

/**
 * A reference, not a bound: a reactive rule that reads the exact demand of every second at the HPA's
 * data age (no window to fill, no CPU saturation hiding the load, no tolerance), decides every
 * second, and holds the highest need of the last `holdSeconds` (HPA's scale-down stabilisation,
 * 300 s). A reactive policy with fresher data (KPA reads its pods every second) can beat it.
 */
export class ReactiveIdealAutoscaler implements Autoscaler {
  readonly periodSeconds = 1;
  readonly dataAge: DataAge;
  /** seconds whose need is still held, with decreasing needs: a sliding-window maximum */
  private readonly window: { t: number; need: number }[] = [];
  private nextSecond = 0;

  constructor(
    private readonly config: SimConfig,
    private readonly holdSeconds = 300,
  ) {
    this.dataAge = { metricsSeconds: config.hpaMetricsAgeSeconds, lagSeconds: config.hpaMetricsAgeSeconds };
  }

  desiredReplicas(metrics: MetricsView): number {
    for (; this.nextSecond < metrics.visibleUntil; this.nextSecond++) {
      const need = replicasFor(metrics.arrivalRate(this.nextSecond, this.nextSecond + 1), this.config);
      while (this.window.length > 0 && this.window[this.window.length - 1].need <= need) this.window.pop();
      this.window.push({ t: this.nextSecond, need });
    }
    while (this.window.length > 0 && this.window[0].t < metrics.visibleUntil - this.holdSeconds) this.window.shift();
    return Math.max(this.config.minReplicas, this.window[0]?.need ?? this.config.minReplicas);
  }
}
