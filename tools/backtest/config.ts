/**
 * The one capacity model every policy and every trace is replayed against. Defaults live here and
 * nowhere else, so "same parameters for everyone" is true by construction: policies receive this
 * object and derive their own targets from it.
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
  /** Utilisation every autoscaler aims for (HPA target, KEDA lag per replica, KPA target, SmartScale capacity). */
  targetUtilisation: number;
  /** Age of the newest metric any policy can see: scrape interval plus pipeline. */
  metricsDelaySeconds: number;
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
  metricsDelaySeconds: 15,
  startupSeconds: 30,
  minReplicas: 1,
  maxReplicas: 100,
  stepFraction: 0.1,
  timeToScaleCapSeconds: 600,
};
