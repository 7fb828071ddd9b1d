import { fieldRuleProblem, POLICY_FIELD_RULES, type ScalingPolicy } from '@smartscale/contracts/workflow';

/**
 * The invariants decide() relies on, checked inside the workflow's update validator. Built from the
 * same per-field table as the REST API's zod schema (POLICY_FIELD_RULES), because workflow code must
 * not pull zod into its bundle (CONVENTIONS §9): the caps cannot drift apart. Unknown fields are the
 * zod schema's business (strict), checked when the worker validates a whole target.
 */
export function policyProblems(p: ScalingPolicy): string[] {
  const problems: string[] = [];
  for (const [field, rule] of Object.entries(POLICY_FIELD_RULES)) {
    const problem = fieldRuleProblem(field, rule, (p as unknown as Record<string, unknown>)[field]);
    if (problem) problems.push(problem);
  }
  if (p.minReplicas > p.maxReplicas) problems.push('minReplicas must not exceed maxReplicas');
  return problems;
}
