import type { ScalingPolicy } from '@smartscale/contracts/workflow';
import { OracleAutoscaler, ReactiveIdealAutoscaler, StaticAutoscaler } from './baselines';
import { SimConfig } from './config';
import { HpaCpuAutoscaler, HpaRateAutoscaler } from './hpa';
import { KedaKafkaAutoscaler, kedaSpecFor } from './keda';
import { KpaAutoscaler, kpaSpecFor } from './kpa';
import { measure, PolicyMetrics, withRatios } from './metrics';
import { ForecastTrack, predictorFor, ProductSettings, productSettings, SmartScaleAutoscaler, smartScalePolicyFor } from './smartscale';
import { Autoscaler, replicasFor, RunResult, simulate } from './simulator';
import { expandRows, Trace } from './trace';

export const POLICY_NAMES = ['smartscale', 'hpa', 'hpa_cpu', 'keda', 'kpa', 'static', 'oracle', 'reactive_ideal'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];
/** The policies with a cost knob, swept for the frontiers. */
export const SWEPT_POLICIES = ['smartscale', 'hpa', 'hpa_cpu', 'keda', 'kpa'] as const;
export type SweptPolicy = (typeof SWEPT_POLICIES)[number];

export interface TraceResult {
  metrics: Record<PolicyName, PolicyMetrics>;
  runs: Record<PolicyName, RunResult>;
}

/** One trace made ready for replay: its demand per second and the predictor's answers (shared by every run). */
export interface PreparedTrace {
  trace: Trace;
  demand: Float64Array;
  track: ForecastTrack;
  settings: ProductSettings;
  config: SimConfig;
}

export function prepareTrace(
  trace: Trace,
  config: SimConfig,
  settings: ProductSettings = productSettings(),
  horizon = smartScalePolicyFor(config).forecastHorizonWindows,
): PreparedTrace {
  const demand = expandRows(trace.rows, config.rowSeconds);
  const track = new ForecastTrack(
    demand,
    settings.windowSeconds,
    predictorFor(settings, trace.periods, config),
    horizon,
    settings.graceSeconds * 1000,
  );
  return { trace, demand, track, settings, config };
}

/** A swept policy at one point of its cost knob: a target utilisation, or (SmartScale) a whole policy. */
export type Knob = { utilisation: number } | { policy: ScalingPolicy };

function autoscalerFor(p: PreparedTrace, name: PolicyName, knob: Knob | null): Autoscaler {
  const { config } = p;
  const u = knob && 'utilisation' in knob ? knob.utilisation : config.targetUtilisation;
  switch (name) {
    case 'smartscale':
      return new SmartScaleAutoscaler(
        knob && 'policy' in knob ? knob.policy : smartScalePolicyFor(config, {}, u),
        config,
        p.track,
        p.settings,
      );
    case 'hpa':
      return new HpaRateAutoscaler(config, u);
    case 'hpa_cpu':
      return new HpaCpuAutoscaler(config, u);
    case 'keda':
      return new KedaKafkaAutoscaler(kedaSpecFor(config, u), config);
    case 'kpa':
      return new KpaAutoscaler(kpaSpecFor(config, u), config);
    case 'static':
      return new StaticAutoscaler(config.peakReplicas);
    case 'oracle':
      return new OracleAutoscaler(p.demand, config);
    case 'reactive_ideal':
      return new ReactiveIdealAutoscaler(config);
  }
}

/** Every policy gets fresh state and starts at what the shared target asks for on the first row. */
export function runPolicy(p: PreparedTrace, name: PolicyName, knob: Knob | null = null): RunResult {
  const autoscaler = autoscalerFor(p, name, knob);
  const start = Math.max(p.config.minReplicas, replicasFor(p.trace.rows[0], p.config));
  const initial =
    autoscaler instanceof OracleAutoscaler ? autoscaler.initial : autoscaler instanceof StaticAutoscaler ? p.config.peakReplicas : start;
  return simulate(p.demand, autoscaler, p.config, initial);
}

/** Every policy at its default; `policy` is SmartScale's (default: the product's, sized to the model). */
export function runPrepared(p: PreparedTrace, policy: ScalingPolicy = smartScalePolicyFor(p.config)): TraceResult {
  const runs = {} as Record<PolicyName, RunResult>;
  const metrics = {} as Record<PolicyName, PolicyMetrics>;
  for (const name of POLICY_NAMES) {
    runs[name] = runPolicy(p, name, name === 'smartscale' ? { policy } : null);
    metrics[name] = measure(runs[name], p.trace.rows, p.config);
  }
  withRatios(metrics);
  return { metrics, runs };
}

export function runTrace(
  trace: Trace,
  config: SimConfig,
  policy: ScalingPolicy = smartScalePolicyFor(config),
  settings: ProductSettings = productSettings(),
): TraceResult {
  return runPrepared(prepareTrace(trace, config, settings, policy.forecastHorizonWindows), policy);
}
