import { z } from 'zod';
import {
  DEFAULT_POLICY,
  DEFAULT_TARGET_LIMITS,
  POLICY_CROSS_FIELD_RULES,
  POLICY_FIELD_RULES,
  PolicyFieldRule,
  ScalingPolicy,
  ScalingTarget,
  scalerPolicyProblem,
  TargetLimits,
  targetLimitProblems,
} from './policy';

/** The zod form of one row of POLICY_FIELD_RULES: the REST API and the workflow check share the table. */
function zodFor(rule: PolicyFieldRule): z.ZodType {
  let schema: z.ZodType;
  if (rule.type === 'boolean') schema = z.boolean();
  else if (rule.type === 'enum') schema = z.enum(rule.values);
  else {
    let n = rule.type === 'int' ? z.number().int() : z.number();
    n = rule.minExclusive ? n.gt(rule.min) : n.min(rule.min);
    if (rule.max !== undefined) n = n.max(rule.max);
    schema = n;
  }
  return rule.optional ? schema.optional() : schema;
}

const policyShape = Object.fromEntries(Object.entries(POLICY_FIELD_RULES).map(([field, rule]) => [field, zodFor(rule)])) as Record<
  keyof ScalingPolicy,
  z.ZodType
>;

// zod runs these refinements only on a policy whose fields all passed, as the table says.
export const ScalingPolicySchema = POLICY_CROSS_FIELD_RULES.reduce(
  (schema, rule) => schema.refine((p) => !rule.breaks(p as unknown as ScalingPolicy), { message: rule.message, path: [rule.field] }),
  z.object(policyShape).strict(),
);

/** Partial policies are completed from DEFAULT_POLICY before validation: defaults live in one place. */
export function parsePolicy(input: unknown): ScalingPolicy {
  const partial = z.record(z.string(), z.unknown()).parse(input ?? {});
  return ScalingPolicySchema.parse({ ...DEFAULT_POLICY, ...partial }) as ScalingPolicy;
}

// The API server's own rules (k8s.io/apimachinery/pkg/util/validation): a namespace is a DNS-1123
// label, Deployment and StatefulSet names are DNS-1123 subdomains. Checked here so that a typo fails
// at boot with the field named, not as a 404 on the first scale. Strict: a misspelt key is an error.
const KubernetesWorkloadSchema = z.strictObject({
  kind: z.literal('kubernetes'),
  namespace: z
    .string({ error: 'namespace is required' })
    .max(63, 'namespace: at most 63 characters (a DNS-1123 label)')
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
      'namespace: a DNS-1123 label (lower-case letters, digits and "-", starting and ending with a letter or digit)',
    ),
  resource: z.enum(['deployment', 'statefulset'], { error: 'resource: "deployment" or "statefulset"' }),
  name: z
    .string({ error: 'name is required' })
    .max(253, 'name: at most 253 characters (a DNS-1123 subdomain)')
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
      'name: a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)',
    ),
});

export const ScalingTargetSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and "-"'),
  service: z.string().min(1),
  scaler: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('local') }),
    // http and https only: a scaler is called over HTTP, never file:, gopher: or data: (issue 18).
    z.object({ kind: z.literal('webhook'), url: z.url({ protocol: /^https?$/, error: 'url: an http:// or https:// URL' }) }),
    KubernetesWorkloadSchema,
    z.strictObject({ kind: z.literal('shadow'), source: KubernetesWorkloadSchema }),
    z.strictObject({ kind: z.literal('keda') }),
  ]),
  policy: z.unknown().optional(),
});

/**
 * The one check for a target, wherever it comes from: the REST API, the targets file, and a workflow's
 * input or memo (the worker's validateTarget activity). `limits` are the deployment's configured caps.
 */
export function parseTarget(input: unknown, limits: TargetLimits = DEFAULT_TARGET_LIMITS): ScalingTarget {
  const t = ScalingTargetSchema.parse(input);
  let policy: ScalingPolicy;
  try {
    policy = parsePolicy(t.policy);
  } catch (err) {
    if (!(err instanceof z.ZodError)) throw err;
    throw new z.ZodError(err.issues.map((i) => ({ ...i, path: ['policy', ...i.path] })));
  }
  const problem = scalerPolicyProblem(t.scaler, policy);
  if (problem) throw new z.ZodError([{ code: 'custom', path: ['policy', 'mode'], message: problem, input: policy.mode }]);
  const breaches = targetLimitProblems({ scaler: t.scaler, policy }, limits);
  if (breaches.length > 0)
    throw new z.ZodError(
      breaches.map(([path, message]) => ({ code: 'custom' as const, path: path.split('.'), message, input: undefined })),
    );
  return { id: t.id, service: t.service, scaler: t.scaler, policy };
}

/** A target's problems as `path: message` lines, empty when it is valid: what a workflow records when it refuses one. */
export function targetProblems(input: unknown, limits: TargetLimits = DEFAULT_TARGET_LIMITS): string[] {
  try {
    parseTarget(input, limits);
    return [];
  } catch (err) {
    if (err instanceof z.ZodError) return err.issues.map((i) => `${i.path.join('.') || 'target'}: ${i.message}`);
    return [(err as Error).message];
  }
}
