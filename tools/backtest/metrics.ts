import { SimConfig } from './config';
import { RunResult } from './simulator';

export interface PolicyMetrics {
  under_provisioned_minutes: number;
  /**
   * The part of `under_provisioned_minutes` spent in consumer-group rebalances (ready replicas, nobody
   * serving): the price of the policy's own actions, not of capacity it lacked.
   */
  rebalance_paused_minutes: number;
  /**
   * Episodes of short capacity outside rebalances (consecutive seconds with demand above what the
   * ready replicas serve) and their median length: how often the policy was caught out, and how fast
   * it recovered.
   */
  short_episodes: number;
  short_episode_median_seconds: number | null;
  replica_hours: number;
  scaling_actions: number;
  /** consumer-group rebalances: each stopped every replica for `rebalanceSeconds` */
  rebalances: number;
  backlog_peak_events: number;
  /** time to drain the queue at the ready capacity: what a newly arrived event waits */
  latency_peak_seconds: number;
  latency_mean_seconds: number;
  /** mean over the trace's steps of the time until ready capacity covered demand again (capped) */
  time_to_scale_seconds: number | null;
  steps: number;
  /** each metric divided by HPA's on the same trace (null when HPA's is 0) */
  vs_hpa?: Record<'under_provisioned_minutes' | 'replica_hours' | 'scaling_actions' | 'backlog_peak_events', number | null>;
}

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Rows whose demand rises by at least `stepFraction` of the peak over the previous row. */
export function stepStarts(rows: number[], config: SimConfig): number[] {
  const peak = rows.reduce((m, v) => Math.max(m, v), 0);
  const out: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    if (rows[i] - rows[i - 1] >= config.stepFraction * peak) out.push(i * config.rowSeconds);
  }
  return out;
}

function timeToScale(run: RunResult, steps: number[], config: SimConfig): number | null {
  if (steps.length === 0) return null;
  let total = 0;
  for (const s of steps) {
    let t = s;
    const end = Math.min(run.arrivals.length, s + config.timeToScaleCapSeconds);
    while (t < end && run.arrivals[t] > run.serving[t] + 1e-9) t++;
    total += t - s;
  }
  return total / steps.length;
}

export function measure(run: RunResult, rows: number[], config: SimConfig): PolicyMetrics {
  const c = config.capacityPerReplica;
  // Under-provisioned: demand above what the group could serve that second (nothing during a rebalance).
  let under = 0;
  let paused = 0;
  const episodes: number[] = [];
  let episode = 0;
  let replicaSeconds = 0;
  let backlogPeak = 0;
  let latencyPeak = 0;
  let latencySum = 0;
  for (let t = 0; t < run.arrivals.length; t++) {
    const short = run.arrivals[t] > run.serving[t] + 1e-9;
    const rebalancing = run.serving[t] === 0 && run.ready[t] > 0;
    if (short) under++;
    if (short && rebalancing) paused++;
    if (short && !rebalancing) episode++;
    else if (episode > 0 && !rebalancing) {
      episodes.push(episode);
      episode = 0;
    }
    replicaSeconds += run.provisioned[t];
    backlogPeak = Math.max(backlogPeak, run.backlog[t]);
    const latency = run.backlog[t] / (Math.max(1, run.ready[t]) * c);
    latencyPeak = Math.max(latencyPeak, latency);
    latencySum += latency;
  }
  if (episode > 0) episodes.push(episode);
  episodes.sort((a, b) => a - b);
  const steps = stepStarts(rows, config);
  const tts = timeToScale(run, steps, config);
  return {
    under_provisioned_minutes: round(under / 60),
    rebalance_paused_minutes: round(paused / 60),
    short_episodes: episodes.length,
    short_episode_median_seconds: episodes.length === 0 ? null : episodes[Math.floor((episodes.length - 1) / 2)],
    replica_hours: round(replicaSeconds / 3600),
    scaling_actions: run.scalingActions,
    rebalances: run.rebalances,
    backlog_peak_events: round(backlogPeak),
    latency_peak_seconds: round(latencyPeak),
    latency_mean_seconds: round(latencySum / Math.max(1, run.arrivals.length)),
    time_to_scale_seconds: tts === null ? null : round(tts, 1),
    steps: steps.length,
  };
}

/** Adds `vs_hpa` ratios to every policy of one trace. */
export function withRatios(byPolicy: Record<string, PolicyMetrics>): Record<string, PolicyMetrics> {
  const hpa = byPolicy.hpa;
  const ratio = (a: number, b: number): number | null => (b === 0 ? null : round(a / b));
  for (const m of Object.values(byPolicy)) {
    m.vs_hpa = {
      under_provisioned_minutes: ratio(m.under_provisioned_minutes, hpa.under_provisioned_minutes),
      replica_hours: ratio(m.replica_hours, hpa.replica_hours),
      scaling_actions: ratio(m.scaling_actions, hpa.scaling_actions),
      backlog_peak_events: ratio(m.backlog_peak_events, hpa.backlog_peak_events),
    };
  }
  return byPolicy;
}
