import { z } from 'zod';
import { DEFAULT_POLICY, ScalingPolicy, ScalingTarget, scalerPolicyProblem } from './policy';

const ms = z.number().int().nonnegative();

export const ScalingPolicySchema = z
  .object({
    mode: z.enum(['enforce', 'recommend']),
    minReplicas: z.number().int().min(0),
    maxReplicas: z.number().int().min(1).max(1000),
    capacityPerReplica: z.number().positive(),
    tolerance: z.number().min(0).max(1),
    scaleUpTolerance: z.number().min(0).max(1).optional(),
    scaleDownTolerance: z.number().min(0).max(1).optional(),
    lagDrainMs: ms.optional(),
    lagGrowthMs: ms.optional(),
    lagGrowthNoiseMs: ms.optional(),
    lagSettleMs: ms.optional(),
    latencyP95TargetMs: z.number().positive().optional(),
    maxErrorRate: z.number().min(0).max(1).optional(),
    forecastUpperBand: z.boolean().optional(),
    upperBandLoadFactor: z.number().min(1).max(10).optional(),
    headroom: z.number().min(0).max(10),
    forecastHorizonWindows: z.number().int().min(0).max(100),
    scaleUpMaxStep: z.number().int().min(1),
    scaleDownMaxStep: z.number().int().min(1),
    scaleUpCooldownMs: ms,
    scaleDownCooldownMs: ms,
    scaleDownStabilizationMs: ms,
    forecastStabilizationMs: ms.optional(),
    tickIntervalMs: z.number().int().min(100),
    forecastStaleMs: ms,
    observationStaleMs: ms,
    onAnomaly: z.enum(['hold', 'follow', 'scaleUpOnly']),
    anomalyThreshold: z.number().min(0).max(1),
    activationLag: z.number().int().min(1),
  })
  .strict()
  .refine((p) => p.minReplicas <= p.maxReplicas, { message: 'minReplicas must not exceed maxReplicas', path: ['minReplicas'] });

/** Partial policies are completed from DEFAULT_POLICY before validation: defaults live in one place. */
export function parsePolicy(input: unknown): ScalingPolicy {
  const partial = z.record(z.string(), z.unknown()).parse(input ?? {});
  return ScalingPolicySchema.parse({ ...DEFAULT_POLICY, ...partial });
}

// The API server's own rules (k8s.io/apimachinery/pkg/util/validation): a namespace is a DNS-1123
// label, Deployment and StatefulSet names are DNS-1123 subdomains. Checked here so that a typo fails
// at boot with the field named, not as a 404 on the first scale. Strict: a misspelt key is an error.
const KubernetesWorkloadSchema = z.strictObject({
  kind: z.literal('kubernetes'),
  namespace: z
    .string({ error: 'namespace is required' })
    .max(63, 'namespace: at most 63 characters (a DNS-1123 label)')
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'namespace: a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit)'),
  resource: z.enum(['deployment', 'statefulset'], { error: 'resource: "deployment" or "statefulset"' }),
  name: z
    .string({ error: 'name is required' })
    .max(253, 'name: at most 253 characters (a DNS-1123 subdomain)')
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'name: a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)'),
});

export const ScalingTargetSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and "-"'),
  service: z.string().min(1),
  scaler: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('local') }),
    z.object({ kind: z.literal('webhook'), url: z.url() }),
    KubernetesWorkloadSchema,
    z.strictObject({ kind: z.literal('observe'), source: KubernetesWorkloadSchema }),
  ]),
  policy: z.unknown().optional(),
});

export function parseTarget(input: unknown): ScalingTarget {
  const t = ScalingTargetSchema.parse(input);
  const policy = parsePolicy(t.policy);
  const problem = scalerPolicyProblem(t.scaler, policy);
  if (problem) throw new z.ZodError([{ code: 'custom', path: ['policy', 'mode'], message: problem, input: policy.mode }]);
  return { id: t.id, service: t.service, scaler: t.scaler, policy };
}
