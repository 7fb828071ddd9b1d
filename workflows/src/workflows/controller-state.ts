import type {
  ControllerState,
  ControllerStatus,
  Decision,
  OverrideInfo,
  OverrideRequest,
  ScalingTarget,
} from '@smartscale/contracts/workflow';
import type { DecideResult } from '@smartscale/policy';
import { MAX_DECISIONS_KEPT } from '@smartscale/contracts/workflow';

/** Pure helpers over the workflow's state, kept out of the workflow file so tests call them directly. */
export const initialState = (): ControllerState => ({
  seq: 0,
  currentReplicas: null,
  desiredReplicas: null,
  paused: null,
  override: null,
  lastScaleUpAt: null,
  lastScaleDownAt: null,
  recommendations: [],
  decisions: [],
  faults: { streak: 0, applyNotBefore: null, applyFailures: 0, unrecorded: [] },
});

export function remember(state: ControllerState, decision: Decision): void {
  state.decisions.push(decision);
  if (state.decisions.length > MAX_DECISIONS_KEPT) state.decisions.splice(0, state.decisions.length - MAX_DECISIONS_KEPT);
}

export const statusOf = (target: ScalingTarget, state: ControllerState): ControllerStatus => ({
  targetId: target.id,
  service: target.service,
  paused: state.paused,
  override: state.override,
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
  const override = state.override
    ? ` — override to ${state.override.replicas} until ${new Date(state.override.expiresAt).toISOString()}: ${state.override.reason}`
    : '';
  const head = `**${target.id}** (service \`${target.service}\`, ${target.policy.mode})${state.paused ? ` — paused: ${state.paused.reason}` : ''}${override}`;
  if (!d) return head;
  const reasons = d.reasons.map((r) => `- \`${r.code}\` ${r.message}`).join('\n');
  return `${head}\n\nDecision #${d.seq}: **${d.action}** ${d.from} → ${d.to}${d.applied ? '' : ' (not applied)'}\n\n${reasons}`;
}

/** Validates an operator's override request; the message is what the signal sender sees in the log. */
export function toOverride(req: OverrideRequest, now: number, maxReplicas: number): OverrideInfo {
  if (!Number.isInteger(req.replicas) || req.replicas < 0 || req.replicas > maxReplicas) {
    throw new Error(`override replicas must be an integer from 0 to the policy maximum ${maxReplicas}, got ${req.replicas}`);
  }
  if (!Number.isFinite(req.ttlMs) || req.ttlMs <= 0) throw new Error(`override ttlMs must be positive, got ${req.ttlMs}`);
  return { replicas: req.replicas, reason: req.reason ?? 'operator override', since: now, expiresAt: now + req.ttlMs };
}

/** While an override is active it replaces decide(): cooldowns and stabilisation do not apply to it. */
export function overrideResult(
  o: OverrideInfo,
  current: number,
  now: number,
  recommendations: DecideResult['recommendations'],
): DecideResult {
  const action = o.replicas > current ? 'up' : o.replicas < current ? 'down' : 'hold';
  const left = Math.ceil((o.expiresAt - now) / 1000);
  return {
    action,
    from: current,
    to: o.replicas,
    reasons: [{ code: 'override', message: `operator override to ${o.replicas} replicas for another ${left} s: ${o.reason}` }],
    inputs: { ...NO_INPUTS },
    recommendations,
  };
}

/** Decisions whose record failed, kept for a later tick at most (the oldest are dropped). */
export const MAX_UNRECORDED = 50;
/** Ticks back off to this while faults continue (or the tick interval, if longer). */
export const MAX_FAULT_BACKOFF_MS = 60_000;
/** A scaler that refused (403, 404, misconfigured) is asked again this long after, not every tick. */
export const REFUSED_RETRY_MS = 300_000;

/** Doubling from the tick interval while a fault lasts, up to MAX_FAULT_BACKOFF_MS (never below the tick). */
export function faultBackoffMs(streak: number, tickIntervalMs: number): number {
  if (streak <= 0) return tickIntervalMs;
  return Math.min(tickIntervalMs * 2 ** Math.min(streak - 1, 16), Math.max(tickIntervalMs, MAX_FAULT_BACKOFF_MS));
}

/** When a failed apply may be tried again: slowly after a refusal, doubling from 1 s after a transient fault. */
export function nextApplyAt(now: number, failures: number, refused: boolean, tickIntervalMs: number): number {
  return now + (refused ? REFUSED_RETRY_MS : faultBackoffMs(failures, Math.min(tickIntervalMs, 1_000)));
}

export const NO_INPUTS: Decision['inputs'] = {
  observedEventsPerSecond: null,
  observedWindowEnd: null,
  forecastPeakEventsPerSecond: null,
  forecastUsed: false,
  anomalyScore: null,
  consumerLag: null,
};

/** A hold that records a fault: nothing was decided or applied, and the reason says why. */
export const faultHold = (seq: number, at: number, replicas: number, code: string, message: string): Decision => ({
  seq,
  at,
  action: 'hold',
  from: replicas,
  to: replicas,
  reasons: [{ code, message }],
  inputs: { ...NO_INPUTS },
  applied: false,
});
