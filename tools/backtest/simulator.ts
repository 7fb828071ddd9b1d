import { SimConfig } from './config';

/**
 * How old the data an autoscaler reads is, in seconds. Rates, served work and concurrency are visible
 * up to `now - metricsSeconds`; the consumer group's lag up to `now - lagSeconds`. Each policy gets
 * the age its real system has (config.ts), never a fresher one.
 */
export interface DataAge {
  metricsSeconds: number;
  lagSeconds: number;
}

/** What a policy may read: nothing newer than its data age allows. */
export interface MetricsView {
  readonly now: number;
  /** first second whose rates are not visible yet */
  readonly visibleUntil: number;
  /** first second whose lag is not visible yet */
  readonly lagVisibleUntil: number;
  /** mean arrivals/s over [from, to), clipped to what is visible */
  arrivalRate(from: number, to: number): number;
  /** mean served events/s over [from, to): what CPU utilisation measures */
  servedRate(from: number, to: number): number;
  /** mean concurrency over [from, to): events in flight (served × request time) plus queued ones */
  concurrency(from: number, to: number): number;
  /** queued events at the start of second t (clipped to the visible lag) */
  backlogAt(t: number): number;
}

export interface ClusterState {
  /** replicas requested (the scale subresource's spec) */
  desired: number;
  ready: number;
  /** requested but not yet serving */
  starting: number;
}

/** One autoscaler under test. It is asked for a replica count every `periodSeconds`, at `phaseSeconds` past each multiple. */
export interface Autoscaler {
  readonly periodSeconds: number;
  readonly phaseSeconds?: number;
  readonly dataAge: DataAge;
  /** False for references that scale for free (the oracle): their member changes cost no rebalance. */
  readonly paysRebalances?: boolean;
  desiredReplicas(metrics: MetricsView, cluster: ClusterState): number;
}

export interface RunResult {
  arrivals: Float64Array;
  served: Float64Array;
  /** backlog at the end of each second */
  backlog: Float64Array;
  ready: Int32Array;
  /** events/s the group could serve that second: ready capacity, 0 while a rebalance stops it */
  serving: Float64Array;
  /** ready + starting: what is paid for */
  provisioned: Int32Array;
  scalingActions: number;
  /** consumer-group rebalances (a change of the ready members) */
  rebalances: number;
}

class RecordedMetrics implements MetricsView {
  now = 0;
  visibleUntil = 0;
  lagVisibleUntil = 0;
  constructor(
    private readonly cumArrivals: Float64Array,
    private readonly cumServed: Float64Array,
    private readonly cumBacklog: Float64Array,
    private readonly backlog: Float64Array,
    private readonly requestSeconds: number,
  ) {}

  arrivalRate(from: number, to: number): number {
    return this.mean(this.cumArrivals, from, to);
  }

  servedRate(from: number, to: number): number {
    return this.mean(this.cumServed, from, to);
  }

  concurrency(from: number, to: number): number {
    return this.mean(this.cumServed, from, to) * this.requestSeconds + this.mean(this.cumBacklog, from, to);
  }

  backlogAt(t: number): number {
    const s = Math.min(t, this.lagVisibleUntil) - 1;
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
 * queued, so under-provisioning shows as backlog. A change of the ready members (replicas becoming
 * ready, or ready ones removed) rebalances the consumer group: nobody serves for `rebalanceSeconds`.
 * Invariant: served + backlog = cumulative demand.
 */
export function simulate(demand: Float64Array, autoscaler: Autoscaler, config: SimConfig, initialReplicas: number): RunResult {
  const n = demand.length;
  const run: RunResult = {
    arrivals: demand,
    served: new Float64Array(n),
    backlog: new Float64Array(n),
    ready: new Int32Array(n),
    serving: new Float64Array(n),
    provisioned: new Int32Array(n),
    scalingActions: 0,
    rebalances: 0,
  };
  const cumArrivals = new Float64Array(n + 1);
  const cumServed = new Float64Array(n + 1);
  const cumBacklog = new Float64Array(n + 1);
  const metrics = new RecordedMetrics(cumArrivals, cumServed, cumBacklog, run.backlog, config.requestSeconds);
  const pods = new Pods(initialReplicas);
  const phase = autoscaler.phaseSeconds ?? 0;
  let queued = 0;
  let members = initialReplicas;
  let pausedUntil = 0;
  for (let t = 0; t < n; t++) {
    if (t >= phase && (t - phase) % autoscaler.periodSeconds === 0) {
      metrics.now = t;
      metrics.visibleUntil = Math.max(0, t - autoscaler.dataAge.metricsSeconds);
      metrics.lagVisibleUntil = Math.max(0, t - autoscaler.dataAge.lagSeconds);
      const ready = pods.readyCount(t);
      const cluster = { desired: pods.count, ready, starting: pods.count - ready };
      const want = Math.max(0, Math.min(config.maxReplicas, Math.round(autoscaler.desiredReplicas(metrics, cluster))));
      if (want !== pods.count) run.scalingActions++;
      pods.resize(want, t + config.startupSeconds);
    }
    const ready = pods.readyCount(t);
    if (ready !== members) {
      members = ready;
      if (config.rebalanceSeconds > 0 && autoscaler.paysRebalances !== false) {
        pausedUntil = t + config.rebalanceSeconds;
        run.rebalances++;
      }
    }
    const serving = t < pausedUntil ? 0 : ready * config.capacityPerReplica;
    const available = queued + demand[t];
    const served = Math.min(available, serving);
    queued = available - served;
    run.served[t] = served;
    run.backlog[t] = queued;
    run.ready[t] = ready;
    run.serving[t] = serving;
    run.provisioned[t] = pods.count;
    cumArrivals[t + 1] = cumArrivals[t] + demand[t];
    cumServed[t + 1] = cumServed[t] + served;
    cumBacklog[t + 1] = cumBacklog[t] + queued;
  }
  return run;
}

/** Replicas needed to serve `eventsPerSecond` at `utilisation` of full capacity. */
export function replicasFor(eventsPerSecond: number, config: SimConfig, utilisation = config.targetUtilisation): number {
  return Math.ceil(eventsPerSecond / (config.capacityPerReplica * utilisation) - 1e-9);
}
