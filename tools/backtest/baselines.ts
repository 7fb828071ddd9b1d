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
