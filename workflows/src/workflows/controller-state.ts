import type { ControllerState, ControllerStatus, Decision, ScalingTarget } from '@smartscale/contracts/workflow';
import { MAX_DECISIONS_KEPT } from '@smartscale/contracts/workflow';

/** Pure helpers over the workflow's state, kept out of the workflow file so tests call them directly. */
export const initialState = (): ControllerState => ({
  seq: 0,
  currentReplicas: null,
  desiredReplicas: null,
  paused: null,
  lastScaleUpAt: null,
  lastScaleDownAt: null,
  recommendations: [],
  decisions: [],
});

export function remember(state: ControllerState, decision: Decision): void {
  state.decisions.push(decision);
  if (state.decisions.length > MAX_DECISIONS_KEPT) state.decisions.splice(0, state.decisions.length - MAX_DECISIONS_KEPT);
}

export const statusOf = (target: ScalingTarget, state: ControllerState): ControllerStatus => ({
  targetId: target.id,
  service: target.service,
  paused: state.paused,
  currentReplicas: state.currentReplicas,
  desiredReplicas: state.desiredReplicas,
  seq: state.seq,
  lastDecision: state.decisions.at(-1) ?? null,
  policy: target.policy,
});

/** One line for the Web UI's activity summary: what was done and the first reason why. */
export function summarize(d: Decision): string {
  const what = d.action === 'hold' ? `hold at ${d.to}` : `scale ${d.action} ${d.from}→${d.to}`;
  return `#${d.seq} ${what}: ${d.reasons.map((r) => r.message).join('; ')}`.slice(0, 400);
}

/** Markdown for the UI's "Current Details": the last decision and its reasons. */
export function detailsOf(target: ScalingTarget, state: ControllerState): string {
  const d = state.decisions.at(-1);
  const head = `**${target.id}** (service \`${target.service}\`, ${target.policy.mode})${state.paused ? ` — paused: ${state.paused.reason}` : ''}`;
  if (!d) return head;
  const reasons = d.reasons.map((r) => `- \`${r.code}\` ${r.message}`).join('\n');
  return `${head}\n\nDecision #${d.seq}: **${d.action}** ${d.from} → ${d.to}${d.applied ? '' : ' (not applied)'}\n\n${reasons}`;
}
