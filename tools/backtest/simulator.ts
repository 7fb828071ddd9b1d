import { SimConfig } from './config';

/** What every policy may read: metrics up to `now - metricsDelaySeconds`, never later. */
export interface MetricsView {
  readonly now: number;
  /** first second whose metrics are not visible yet */
  readonly visibleUntil: number;
  /** mean arrivals/s over [from, to), clipped to what is visible */
  arrivalRate(from: number, to: number): number;
  /** mean served events/s over [from, to): what CPU utilisation measures */
  servedRate(from: number, to: number): number;
  /** queued events at the start of second t (clipped to the visible range) */
  backlogAt(t: number): number;
}

export interface ClusterState {
  /** replicas requested (the scale subresource's spec) */
  desired: number;
  ready: number;
  /** requested but not yet serving */
  starting: number;
}

/** One autoscaler under test. It is asked for a replica count every `periodSeconds`. */
export interface Autoscaler {
  readonly periodSeconds: number;
  desiredReplicas(metrics: MetricsView, cluster: ClusterState): number;
}

export interface RunResult {
  arrivals: Float64Array;
  served: Float64Array;
  /** backlog at the end of each second */
  backlog: Float64Array;
  ready: Int32Array;
  /** ready + starting: what is paid for */
  provisioned: Int32Array;
  scalingActions: number;
}

class RecordedMetrics implements MetricsView {
  now = 0;
  visibleUntil = 0;
  constructor(
    private readonly cumArrivals: Float64Array,
    private readonly cumServed: Float64Array,
    private readonly backlog: Float64Array,
  ) {}

  arrivalRate(from: number, to: number): number {
    return this.mean(this.cumArrivals, from, to);
  }

  servedRate(from: number, to: number): number {
    return this.mean(this.cumServed, from, to);
  }

  backlogAt(t: number): number {
    const s = Math.min(t, this.visibleUntil) - 1;
    return s < 0 ? 0 : this.backlog[s];
  }

  private mean(cum: Float64Array, from: number, to: number): number {
    const a = Math.max(0, from);
    const b = Math.min(to, this.visibleUntil);
    return b > a ? (cum[b] - cum[a]) / (b - a) : 0;
  }
}

/** Replicas as the times they become ready, oldest first; scale-down removes the newest (starting ones first). */
class Pods {
  private readonly readyAt: number[] = [];

  constructor(initial: number) {
    for (let i = 0; i < initial; i++) this.readyAt.push(-Infinity);
  }

  get count(): number {
    return this.readyAt.length;
  }

  readyCount(now: number): number {
    let starting = 0;
    for (let i = this.readyAt.length - 1; i >= 0 && this.readyAt[i] > now; i--) starting++;
    return this.readyAt.length - starting;
  }

  resize(target: number, readyAt: number): void {
    while (this.readyAt.length < target) this.readyAt.push(readyAt);
    this.readyAt.length = Math.min(this.readyAt.length, target);
  }
}

/**
 * Discrete-time replay at one-second resolution. Each second: the policy may act (on its period),
 * then ready replicas serve the queue FIFO at `capacityPerReplica`; what they cannot serve stays
 * queued, so under-provisioning shows as backlog. Invariant: served + backlog = cumulative demand.
 */
export function simulate(demand: Float64Array, autoscaler: Autoscaler, config: SimConfig, initialReplicas: number): RunResult {
  const n = demand.length;
  const run: RunResult = {
    arrivals: demand,
    served: new Float64Array(n),
    backlog: new Float64Array(n),
    ready: new Int32Array(n),
    provisioned: new Int32Array(n),
    scalingActions: 0,
  };
  const cumArrivals = new Float64Array(n + 1);
  const cumServed = new Float64Array(n + 1);
  const metrics = new RecordedMetrics(cumArrivals, cumServed, run.backlog);
  const pods = new Pods(initialReplicas);
  let queued = 0;
  for (let t = 0; t < n; t++) {
    if (t % autoscaler.periodSeconds === 0) {
      metrics.now = t;
      metrics.visibleUntil = Math.max(0, t - config.metricsDelaySeconds);
      const ready = pods.readyCount(t);
      const cluster = { desired: pods.count, ready, starting: pods.count - ready };
      const want = Math.max(0, Math.min(config.maxReplicas, Math.round(autoscaler.desiredReplicas(metrics, cluster))));
      if (want !== pods.count) run.scalingActions++;
      pods.resize(want, t + config.startupSeconds);
    }
    const ready = pods.readyCount(t);
    const available = queued + demand[t];
    const served = Math.min(available, ready * config.capacityPerReplica);
    queued = available - served;
    run.served[t] = served;
    run.backlog[t] = queued;
    run.ready[t] = ready;
    run.provisioned[t] = pods.count;
    cumArrivals[t + 1] = cumArrivals[t] + demand[t];
    cumServed[t + 1] = cumServed[t] + served;
  }
  return run;
}

/** Replicas needed to serve `eventsPerSecond` at `utilisation` of full capacity. */
export function replicasFor(eventsPerSecond: number, config: SimConfig, utilisation = config.targetUtilisation): number {
  return Math.ceil(eventsPerSecond / (config.capacityPerReplica * utilisation) - 1e-9);
}
