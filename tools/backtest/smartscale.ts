import type { Forecast, WindowMetric } from '@smartscale/contracts';
import { DEFAULT_POLICY, ScalingPolicy } from '@smartscale/contracts/workflow';
import { decide, DecideState, ForecastSummary, summarizeForecast } from '@smartscale/policy';
import { windowMetric } from '@smartscale/testing/fixtures';
import { loadAggregatorConfig } from '../../apps/aggregator/src/config/aggregator.config';
import { loadPredictorConfig, PredictorConfig } from '../../apps/predictor/src/config/predictor.config';
import { ModelsService } from '../../apps/predictor/src/forecast/models.service';
import { SimConfig } from './config';
import { Autoscaler, ClusterState, DataAge, MetricsView } from './simulator';

/**
 * What SmartScale runs with when nothing is configured, read from the product's own config schemas
 * (defaults of an empty environment), never retyped: the aggregator's window size and grace, the
 * predictor's settings (window, seasonal periods, horizon cap and whatever else its schema grows).
 */
export interface ProductSettings {
  windowSeconds: number;
  graceSeconds: number;
  predictor: PredictorConfig;
  /**
   * The workflow's ticks are not aligned with window ends. A tick 7 s after a window boundary reads
   * a window that ended 7 s ago (it was emitted at end + grace): the mean over a uniformly random
   * phase, ((phase − grace) mod window) + grace, for 10 s windows and 2 s grace.
   */
  tickPhaseSeconds: number;
  /** Which periods the predictor was given: 'product' (its defaults) or 'trace' (the trace's own day and week, a tuned setting). */
  periodsFrom: 'product' | 'trace';
}

export function productSettings(): ProductSettings {
  const windows = loadAggregatorConfig({}).windows;
  const predictor = loadPredictorConfig({});
  const windowSeconds = windows.sizeMs / 1000;
  const graceSeconds = windows.graceMs / 1000;
  return { windowSeconds, graceSeconds, predictor, tickPhaseSeconds: Math.round(graceSeconds + windowSeconds / 2), periodsFrom: 'product' };
}

/** The predictor's settings for one trace: its own defaults, or the trace's day and week (in windows) as configured hints. */
export function predictorFor(settings: ProductSettings, tracePeriodsInRows: number[], config: SimConfig): PredictorConfig {
  if (settings.periodsFrom === 'product') return settings.predictor;
  const periods = tracePeriodsInRows.map((p) => Math.round((p * config.rowSeconds) / settings.windowSeconds));
  return { ...settings.predictor, periods };
}

/** The product's policy sized to the replayed target (bounds, and capacity at the target utilisation); nothing else changes unless overridden. */
export function smartScalePolicyFor(
  config: SimConfig,
  overrides: Partial<ScalingPolicy> = {},
  utilisation = config.targetUtilisation,
): ScalingPolicy {
  return {
    ...DEFAULT_POLICY,
    minReplicas: config.minReplicas,
    maxReplicas: config.maxReplicas,
    capacityPerReplica: config.capacityPerReplica * utilisation,
    ...overrides,
  };
}

const SERVICE = 'backtest';

/**
 * The predictor's answers, window by window: the predictor's own ModelsService learns each 10 s
 * window of the arrival rate (what the aggregator emits) and is asked for the policy's horizon after
 * each. The arrivals do not depend on any policy, so one track serves every policy and sweep point;
 * `at(k)` is the answer after window k, computed from windows 0..k only (no look-ahead, tested).
 */
export class ForecastTrack {
  private readonly answers: ForecastSummary[] = [];

  constructor(demand: Float64Array, windowSeconds: number, predictor: PredictorConfig, horizon: number, graceMs = 0) {
    if (horizon === 0) return;
    const models = new ModelsService(predictor);
    const windows = Math.floor(demand.length / windowSeconds);
    for (let k = 0, t = 0; k < windows; k++) {
      let count = 0;
      for (const end = t + windowSeconds; t < end; t++) count += demand[t];
      const windowEnd = t * 1000;
      // the clock when the predictor reads the window: the aggregator emits it at window end + grace
      models.observe(windowOf(windowEnd, windowSeconds * 1000, count), windowEnd + graceMs);
      this.answers.push(summarizeForecast(models.forecast(SERVICE, Math.min(horizon, predictor.maxHorizon), windowEnd) as Forecast));
    }
  }

  /** The forecast after window k, or null when forecasting is off or nothing was learned yet. */
  at(k: number): ForecastSummary | null {
    return k >= 0 && k < this.answers.length ? this.answers[k] : null;
  }
}

function windowOf(windowEnd: number, windowMs: number, count: number): WindowMetric {
  return windowMetric(windowEnd, {
    kind: 'tumbling',
    service: SERVICE,
    windowStart: windowEnd - windowMs,
    count,
    eventsPerSecond: count / (windowMs / 1000),
  });
}

/**
 * SmartScale replayed at the product's cadence: every tick, the same `decide()` the scalingController
 * workflow runs, fed with the newest window the aggregator has emitted (window + grace), the group's
 * lag as the worker's probe reads it (about live) and the predictor's answer after that window.
 */
export class SmartScaleAutoscaler implements Autoscaler {
  readonly periodSeconds: number;
  readonly phaseSeconds: number;
  readonly dataAge: DataAge;
  private readonly windowSeconds: number;
  private readonly graceSeconds: number;
  private asleepUntil = -Infinity;
  private state: DecideState = { lastScaleUpAt: null, lastScaleDownAt: null, recommendations: [] };

  constructor(
    private readonly policy: ScalingPolicy,
    config: SimConfig,
    private readonly track: ForecastTrack,
    settings: ProductSettings,
  ) {
    this.periodSeconds = policy.tickIntervalMs / 1000;
    this.phaseSeconds = settings.tickPhaseSeconds % this.periodSeconds;
    this.windowSeconds = settings.windowSeconds;
    this.graceSeconds = settings.graceSeconds;
    // Rates come only through windows, visible once window + grace has passed.
    this.dataAge = { metricsSeconds: settings.graceSeconds, lagSeconds: config.kafkaLagAgeSeconds };
  }

  desiredReplicas(metrics: MetricsView, cluster: ClusterState): number {
    const nowMs = metrics.now * 1000;
    if (nowMs < this.asleepUntil) return cluster.desired;
    const w = this.windowSeconds;
    const k = Math.floor(metrics.visibleUntil / w) - 1; // newest emitted window
    const windowEnd = (k + 1) * w;
    const observation =
      k >= 0
        ? {
            eventsPerSecond: metrics.arrivalRate(windowEnd - w, windowEnd),
            windowEnd: windowEnd * 1000,
            // the aggregator reads the lag when it emits the window
            consumerLag: metrics.backlogAt(windowEnd + this.graceSeconds),
            currentReplicas: cluster.desired,
          }
        : null;
    const pendingEvents = metrics.lagVisibleUntil > 0 ? metrics.backlogAt(metrics.lagVisibleUntil) : null;
    const forecast = this.policy.forecastHorizonWindows === 0 ? null : this.track.at(k);
    const result = decide({
      now: nowMs,
      observation,
      forecast,
      policy: this.policy,
      state: this.state,
      lastKnownReplicas: cluster.desired,
      pendingEvents,
    });
    // The caller owns state, exactly as scaling-controller.workflow.ts updates it after applying.
    this.state = {
      lastScaleUpAt: result.action === 'up' ? nowMs : this.state.lastScaleUpAt,
      lastScaleDownAt: result.action === 'down' ? nowMs : this.state.lastScaleDownAt,
      recommendations: result.recommendations,
    };
    // After applying, the workflow sleeps the shorter cooldown and then waits for its next tick.
    if (result.action !== 'hold')
      this.asleepUntil = nowMs + Math.min(this.policy.scaleUpCooldownMs, this.policy.scaleDownCooldownMs) + this.policy.tickIntervalMs;
    return result.to;
  }
}
