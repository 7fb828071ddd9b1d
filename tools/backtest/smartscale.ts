import { DEFAULT_POLICY, ScalingPolicy } from '@smartscale/contracts/workflow';
import { AnomalyDetector, createDefaultEnsemble, OnlineForecaster } from '@smartscale/forecasting';
import { decide, DecideState, ForecastSummary } from '@smartscale/policy';
import { SimConfig } from './config';
import { Autoscaler, ClusterState, MetricsView } from './simulator';

/**
 * The product's own policy with only what depends on the target's size and the replay's window
 * changed: bounds and capacity come from the shared model; a forecast is "fresh" for one trace row
 * plus the pipeline delay, because the forecaster learns one value per row (as the predictor
 * learns one per metrics window).
 */
export function smartScalePolicyFor(config: SimConfig, overrides: Partial<ScalingPolicy> = {}): ScalingPolicy {
  const tickMs = overrides.tickIntervalMs ?? DEFAULT_POLICY.tickIntervalMs;
  return {
    ...DEFAULT_POLICY,
    minReplicas: config.minReplicas,
    maxReplicas: config.maxReplicas,
    capacityPerReplica: config.capacityPerReplica * config.targetUtilisation,
    forecastStaleMs: (config.rowSeconds + config.metricsDelaySeconds) * 1000 + tickMs,
    ...overrides,
  };
}

/**
 * SmartScale replayed: every tick, the same `decide()` the scalingController workflow runs, fed
 * with the latest visible 10 s window (ingest rate and consumer lag) and a forecast from the
 * default ensemble that has learned only the rows already visible, so there is no look-ahead.
 */
export class SmartScaleAutoscaler implements Autoscaler {
  readonly periodSeconds: number;
  private readonly forecaster: OnlineForecaster;
  private readonly detector = new AnomalyDetector();
  private learnedRows = 0;
  private anomalyScore = 0;
  private asleepUntil = -Infinity;
  private state: DecideState = { lastScaleUpAt: null, lastScaleDownAt: null, recommendations: [] };

  constructor(
    private readonly policy: ScalingPolicy,
    private readonly config: SimConfig,
    periods: number[],
  ) {
    this.periodSeconds = policy.tickIntervalMs / 1000;
    this.forecaster = createDefaultEnsemble(periods);
  }

  desiredReplicas(metrics: MetricsView, cluster: ClusterState): number {
    this.learnVisibleRows(metrics);
    const nowMs = metrics.now * 1000;
    if (nowMs < this.asleepUntil) return cluster.desired;
    const windowEnd = Math.floor(metrics.visibleUntil / this.periodSeconds) * this.periodSeconds;
    const observation =
      windowEnd > 0
        ? {
            eventsPerSecond: metrics.arrivalRate(windowEnd - this.periodSeconds, windowEnd),
            windowEnd: windowEnd * 1000,
            consumerLag: metrics.backlogAt(windowEnd),
            currentReplicas: cluster.desired,
          }
        : null;
    // The group's lag is read at the tick (the workflow's observe activity), so it is as fresh as
    // the metrics delay allows, like KEDA's; the window's own lag is as old as the window.
    const pendingEvents = metrics.visibleUntil > 0 ? metrics.backlogAt(metrics.visibleUntil) : null;
    const result = decide({ now: nowMs, observation, forecast: this.forecast(), policy: this.policy, state: this.state, lastKnownReplicas: cluster.desired, pendingEvents });
    // The caller owns state, exactly as scaling-controller.workflow.ts updates it after applying.
    this.state = {
      lastScaleUpAt: result.action === 'up' ? nowMs : this.state.lastScaleUpAt,
      lastScaleDownAt: result.action === 'down' ? nowMs : this.state.lastScaleDownAt,
      recommendations: result.recommendations,
    };
    // After applying, the workflow sleeps the shorter cooldown and then waits for its next tick.
    if (result.action !== 'hold') this.asleepUntil = nowMs + Math.min(this.policy.scaleUpCooldownMs, this.policy.scaleDownCooldownMs) + this.policy.tickIntervalMs;
    return result.to;
  }

  private learnVisibleRows(metrics: MetricsView): void {
    const row = this.config.rowSeconds;
    while ((this.learnedRows + 1) * row <= metrics.visibleUntil) {
      const value = metrics.arrivalRate(this.learnedRows * row, (this.learnedRows + 1) * row);
      this.forecaster.learn(value);
      this.anomalyScore = this.detector.score(value, (this.learnedRows + 1) * row * 1000);
      this.learnedRows++;
    }
  }

  private forecast(): ForecastSummary | null {
    if (this.learnedRows === 0) return null;
    const points = this.forecaster.forecast(this.policy.forecastHorizonWindows);
    return {
      peakEventsPerSecond: Math.max(...points.map((p) => p.point)),
      upperPeakEventsPerSecond: Math.max(...points.map((p) => p.upper)),
      basedOnWindowEnd: this.learnedRows * this.config.rowSeconds * 1000,
      anomalyScore: this.anomalyScore,
    };
  }
}
