import { fieldRuleProblem, POLICY_CROSS_FIELD_RULES, POLICY_FIELD_RULES, type ScalingPolicy } from '@smartscale/contracts/workflow';

/**
 * The invariants decide() relies on, checked inside the workflow's update validator. Built from the
 * same per-field table as the REST API's zod schema (POLICY_FIELD_RULES, and POLICY_CROSS_FIELD_RULES), because workflow code must
 * not pull zod into its bundle (CONVENTIONS §9): the caps cannot drift apart. Unknown fields are the
 * zod schema's business (strict), checked when the worker validates a whole target.
 */
export function policyProblems(p: ScalingPolicy): string[] {
  const problems: string[] = [];
  for (const [field, rule] of Object.entries(POLICY_FIELD_RULES)) {
    const problem = fieldRuleProblem(field, rule, (p as unknown as Record<string, unknown>)[field]);
    if (problem) problems.push(problem);
  }
  for (const rule of POLICY_CROSS_FIELD_RULES) if (rule.breaks(p)) problems.push(rule.message);
  return problems;
}
