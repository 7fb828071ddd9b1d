/**
 * The one capacity model every policy and every trace is replayed against. Defaults live here and
 * nowhere else, so "same parameters for everyone" is true by construction: policies receive this
 * object and derive their own targets from it. What differs between policies is only what differs
 * in the real systems: how old the data each one reads is (docs/backtest.md, "Data ages").
 * SmartScale's own settings (window size, grace, tick, horizon, periods) are not here: they are
 * read from the product's config schemas and DEFAULT_POLICY (smartscale.ts).
 */
export interface SimConfig {
  /** Seconds of simulated time per trace row. NAB rows are 5 or 30 minutes apart; replaying each as
   *  60 s compresses the trace onto the time scale autoscalers act on (sync periods, start-up), so
   *  the trace's changes are real steps for them rather than slow ramps that any reactive rule follows. */
  rowSeconds: number;
  /** Events/s one ready replica serves at 100 % utilisation. */
  capacityPerReplica: number;
  /** The trace is scaled so that its peak row needs exactly this many replicas at 100 %. */
  peakReplicas: number;
  /** Default utilisation every autoscaler aims for (HPA target, KEDA lag per replica, KPA target, SmartScale capacity); the frontier sweeps it per policy. */
  targetUtilisation: number;
  /** Age of what an HPA reads: metrics-server's or Prometheus' 15 s scrape before the 15 s sync reads it. */
  hpaMetricsAgeSeconds: number;
  /** The rate the external-metric HPA reads is averaged over this window (Prometheus: a rate() range of at least 4 scrapes). */
  hpaRateWindowSeconds: number;
  /** Knative's metric collector scrapes every pod's queue-proxy every second. */
  kpaMetricsAgeSeconds: number;
  /** Kafka lag as KEDA's scaler and SmartScale's lag probe read it: offsets fetched on request, about live. */
  kafkaLagAgeSeconds: number;
  /** Seconds one event occupies a replica's slot: concurrency = in-flight + queued events. With 1 s, a replica at 100 % holds 100 in flight, Knative's container-concurrency-target-default. */
  requestSeconds: number;
  /**
   * Every member change of the consumer group (replicas joining when ready, or leaving) stops the
   * whole group for this long: kafkajs uses the eager ("stop-the-world") protocol; members learn of
   * the rebalance on their next heartbeat (heartbeat.interval.ms, 3 s by default), then join and
   * sync. 0 turns it off (a workload that is not a Kafka consumer).
   */
  rebalanceSeconds: number;
  /** From "replica requested" to "replica serving". */
  startupSeconds: number;
  minReplicas: number;
  maxReplicas: number;
  /** A row whose demand rises by at least this fraction of the trace's peak is a step (time-to-scale). */
  stepFraction: number;
  /** Time to scale after a step is capped here, so one never-recovered step cannot dominate the mean. */
  timeToScaleCapSeconds: number;
}

export const DEFAULT_SIM_CONFIG: SimConfig = {
  rowSeconds: 60,
  capacityPerReplica: 100,
  peakReplicas: 20,
  targetUtilisation: 0.7,
  hpaMetricsAgeSeconds: 15,
  hpaRateWindowSeconds: 60,
  kpaMetricsAgeSeconds: 1,
  kafkaLagAgeSeconds: 1,
  requestSeconds: 1,
  rebalanceSeconds: 4,
  startupSeconds: 30,
  minReplicas: 1,
  maxReplicas: 100,
  stepFraction: 0.1,
  timeToScaleCapSeconds: 600,
};
