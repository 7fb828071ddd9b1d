import type { ScalingPolicy } from '@smartscale/contracts/workflow';

const NUMBER_FIELDS: (keyof ScalingPolicy)[] = [
  'minReplicas', 'maxReplicas', 'capacityPerReplica', 'tolerance', 'headroom', 'forecastHorizonWindows', 'scaleUpMaxStep', 'scaleDownMaxStep',
  'scaleUpCooldownMs', 'scaleDownCooldownMs', 'scaleDownStabilizationMs', 'tickIntervalMs', 'forecastStaleMs', 'observationStaleMs', 'anomalyThreshold', 'activationLag',
];
/** Added later: unset means the behaviour from before they existed, so only a set value is checked. */
const OPTIONAL_NUMBER_FIELDS = ['scaleUpTolerance', 'scaleDownTolerance', 'lagDrainMs', 'lagGrowthMs', 'lagGrowthNoiseMs', 'lagSettleMs', 'latencyP95TargetMs', 'maxErrorRate', 'upperBandLoadFactor', 'forecastStabilizationMs'] as const;

/**
 * The invariants decide() relies on, checked inside the workflow's update validator. Written by hand
 * on purpose: workflow code must not pull zod into its bundle (CONVENTIONS §9); the REST API validates
 * the same policy with the zod schema in libs/contracts before it ever reaches here.
 */
export function policyProblems(p: ScalingPolicy): string[] {
  const problems: string[] = [];
  for (const f of NUMBER_FIELDS) {
    const v = p[f];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`${f} must be a non-negative number`);
  }
  for (const f of OPTIONAL_NUMBER_FIELDS) {
    const v = p[f];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) problems.push(`${f} must be a non-negative number when set`);
  }
  for (const f of ['scaleUpTolerance', 'scaleDownTolerance', 'maxErrorRate'] as const) {
    const v = p[f];
    if (typeof v === 'number' && v > 1) problems.push(`${f} must be at most 1`);
  }
  if (p.upperBandLoadFactor !== undefined && p.upperBandLoadFactor < 1) problems.push('upperBandLoadFactor must be at least 1 when set');
  if (p.forecastUpperBand !== undefined && typeof p.forecastUpperBand !== 'boolean') problems.push('forecastUpperBand must be true or false when set');
  if (!['enforce', 'recommend'].includes(p.mode)) problems.push('mode must be enforce or recommend');
  if (!['hold', 'follow', 'scaleUpOnly'].includes(p.onAnomaly)) problems.push('onAnomaly must be hold, follow or scaleUpOnly');
  if (p.minReplicas > p.maxReplicas) problems.push('minReplicas must not exceed maxReplicas');
  if (!(p.capacityPerReplica > 0)) problems.push('capacityPerReplica must be positive');
  if (!(p.scaleUpMaxStep >= 1) || !(p.scaleDownMaxStep >= 1)) problems.push('step limits must be at least 1');
  if (!(p.tickIntervalMs >= 100)) problems.push('tickIntervalMs must be at least 100');
  return problems;
}
