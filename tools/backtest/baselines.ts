import { SimConfig } from './config';
import { Autoscaler, MetricsView, replicasFor } from './simulator';

/** Provisioned once for the trace's peak at full capacity; it cannot be under-provisioned. */
export class StaticAutoscaler implements Autoscaler {
  readonly periodSeconds = 3600;
  constructor(private readonly replicas: number) {}

  desiredReplicas(): number {
    return this.replicas;
  }
}

/**
 * Perfect foresight, the lower bound: at t it holds enough replicas at 100 % for the highest demand
 * in [t, t + startup]. Replicas requested now are ready exactly when that demand arrives, and the
 * simulator removes the newest replicas first, so ready capacity never falls below demand.
 */
export class OracleAutoscaler implements Autoscaler {
  readonly periodSeconds = 1;
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
 * The best a purely reactive autoscaler can do, as a reference: it reads the exact demand of every
 * second as soon as the metrics delay allows (no window to fill, no CPU saturation hiding the load,
 * no tolerance), decides every second, and holds the highest need of the last `holdSeconds` (HPA's
 * scale-down stabilisation, 300 s). Whatever it misses, no policy that only reacts can avoid; what
 * it costs in replica-hours is the price of reacting at once and holding as HPA does.
 */
export class ReactiveIdealAutoscaler implements Autoscaler {
  readonly periodSeconds = 1;
  /** seconds whose need is still held, with decreasing needs: a sliding-window maximum */
  private readonly window: { t: number; need: number }[] = [];
  private nextSecond = 0;

  constructor(
    private readonly config: SimConfig,
    private readonly holdSeconds = 300,
  ) {}

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
