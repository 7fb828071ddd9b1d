import type { Reason, ScalingPolicy } from '@smartscale/contracts/workflow';

/** Window figures beyond the rate; absent in observations recorded before they were read. */
export interface QualitySignals {
  latencyP95?: number | null;
  errorRate?: number | null;
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

/**
 * Latency as a capacity signal, the HPA ratio rule on an object metric (desired = ceil(current ×
 * observed / target)), used only to add capacity: a slow p95 the rate does not explain (heavier
 * requests, a slow dependency saturating workers). Within the up tolerance, or unset, it asks nothing.
 */
export function latencyReplicas(obs: QualitySignals, current: number, policy: ScalingPolicy, reasons: Reason[]): number {
  const target = policy.latencyP95TargetMs;
  const p95 = obs.latencyP95;
  if (!target || target <= 0 || p95 === undefined || p95 === null || current < 1) return 0;
  const ratio = p95 / target;
  if (ratio - 1 <= (policy.scaleUpTolerance ?? policy.tolerance)) return 0;
  const wanted = Math.ceil(current * ratio);
  reasons.push({
    code: 'latency',
    message: `p95 latency ${fmt(p95)} ms is ${fmt(ratio * 100)} % of the ${target} ms target: ${wanted} replicas`,
  });
  return wanted;
}

/**
 * Errors above the policy's limit forbid scaling down: failing requests may be overload (and would
 * vanish from the rate), or a bad deploy, and removing capacity helps with neither.
 */
export function errorsHoldDown(obs: QualitySignals, policy: ScalingPolicy, reasons: Reason[]): boolean {
  const max = policy.maxErrorRate;
  const rate = obs.errorRate;
  if (max === undefined || rate === undefined || rate === null || rate <= max) return false;
  reasons.push({ code: 'errors', message: `error rate ${fmt(rate * 100)} % is above ${fmt(max * 100)} %: no scale-down while failing` });
  return true;
}
