import type { ScalingPolicy } from '@smartscale/contracts/workflow';
import { OracleAutoscaler, ReactiveIdealAutoscaler, StaticAutoscaler } from './baselines';
import { SimConfig } from './config';
import { HpaAutoscaler } from './hpa';
import { KedaKafkaAutoscaler, kedaSpecFor } from './keda';
import { KpaAutoscaler, kpaSpecFor } from './kpa';
import { measure, PolicyMetrics, withRatios } from './metrics';
import { SmartScaleAutoscaler, smartScalePolicyFor } from './smartscale';
import { Autoscaler, replicasFor, RunResult, simulate } from './simulator';
import { expandRows, Trace } from './trace';

export const POLICY_NAMES = ['smartscale', 'hpa', 'keda', 'kpa', 'static', 'oracle', 'reactive_ideal'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export interface TraceResult {
  metrics: Record<PolicyName, PolicyMetrics>;
  runs: Record<PolicyName, RunResult>;
}

interface Contender {
  autoscaler: Autoscaler;
  initial: number;
}

/** Every policy gets fresh state and starts at what its own target asks for on the first row. */
function contenders(trace: Trace, demand: Float64Array, config: SimConfig, policy: ScalingPolicy): Record<PolicyName, Contender> {
  const start = Math.max(config.minReplicas, replicasFor(trace.rows[0], config));
  const oracle = new OracleAutoscaler(demand, config);
  return {
    smartscale: { autoscaler: new SmartScaleAutoscaler(policy, config, trace.periods), initial: start },
    hpa: { autoscaler: new HpaAutoscaler(config), initial: start },
    keda: { autoscaler: new KedaKafkaAutoscaler(kedaSpecFor(config), config), initial: start },
    kpa: { autoscaler: new KpaAutoscaler(kpaSpecFor(config)), initial: start },
    static: { autoscaler: new StaticAutoscaler(config.peakReplicas), initial: config.peakReplicas },
    oracle: { autoscaler: oracle, initial: oracle.initial },
    reactive_ideal: { autoscaler: new ReactiveIdealAutoscaler(config), initial: start },
  };
}

/** `policy` is SmartScale's (default: the product's, sized to the model); every other policy derives from `config`. */
export function runTrace(trace: Trace, config: SimConfig, policy: ScalingPolicy = smartScalePolicyFor(config)): TraceResult {
  const demand = expandRows(trace.rows, config.rowSeconds);
  const all = contenders(trace, demand, config, policy);
  const runs = {} as Record<PolicyName, RunResult>;
  const metrics = {} as Record<PolicyName, PolicyMetrics>;
  for (const name of POLICY_NAMES) {
    runs[name] = simulate(demand, all[name].autoscaler, config, all[name].initial);
    metrics[name] = measure(runs[name], trace.rows, config);
  }
  withRatios(metrics);
  return { metrics, runs };
}
