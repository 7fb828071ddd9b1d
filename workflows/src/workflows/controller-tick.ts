import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { CONTROLLER_FAILURE, ControllerState, Decision, idempotencyKeyFor, ScalingTarget } from '@smartscale/contracts/workflow';
import { decide, ForecastSummary } from '@smartscale/policy';
import type { ControllerActivities, ObserveResult } from '../activities/controller-activity.types';
import { ACTIVITY_OPTIONS } from './activity-options';
import { detailsOf, faultHold, MAX_UNRECORDED, nextApplyAt, overrideResult, remember, summarize } from './controller-state';

const { observe, record } = proxyLocalActivities<ControllerActivities>(ACTIVITY_OPTIONS.reads);
const { forecast } = proxyLocalActivities<ControllerActivities>(ACTIVITY_OPTIONS.forecast);
const { apply } = proxyActivities<ControllerActivities>(ACTIVITY_OPTIONS.apply);

/** One tick: observe → predict → decide → apply → record, every fault recorded as a hold with its reason. */
export async function tick(target: ScalingTarget, state: ControllerState): Promise<void> {
  const { policy } = target;
  const { faults } = state;
  let faulted = false;
  let observed: ObserveResult;
  try {
    observed = await observe.executeWithOptions({ summary: `observe ${target.service}` }, [target]);
  } catch (err) {
    state.seq += 1;
    const hold = faultHold(
      state.seq,
      Date.now(),
      state.currentReplicas ?? 0,
      'observe-failed',
      `cannot observe ${target.service} or its scaler (${causeOf(err)}): holding, retrying with backoff`,
    );
    await finish(target, state, hold, true);
    return;
  }
  const fc = await tryForecast(target);
  const now = Date.now();
  const result = state.override
    ? overrideResult(state.override, observed.currentReplicas, now, state.recommendations)
    : decide({
        now,
        observation: observed.window && { ...observed.window, currentReplicas: observed.currentReplicas },
        forecast: fc.forecast,
        forecastError: fc.error,
        policy,
        state,
        lastKnownReplicas: observed.currentReplicas,
        pendingEvents: observed.pendingEvents,
      });
  state.seq += 1;
  state.recommendations = result.recommendations;
  state.currentReplicas = observed.currentReplicas;
  let decision: Decision = {
    seq: state.seq,
    at: now,
    action: result.action,
    from: result.from,
    to: result.to,
    reasons: result.reasons,
    inputs: result.inputs,
    applied: false,
  };
  if (decision.action !== 'hold' && state.paused) {
    // The pause arrived while this tick was observing: it is recorded, never applied.
    decision.reasons.push({ code: 'paused', message: `paused during the decision (${state.paused.reason}): not applied` });
  } else if (decision.action !== 'hold' && policy.mode === 'recommend') {
    decision.reasons.push({ code: 'recommend-only', message: 'recommend mode: recorded for comparison, not applied' });
  } else if (decision.action !== 'hold' && faults.applyNotBefore !== null && now < faults.applyNotBefore) {
    decision = asHold(
      decision,
      'scaler-backoff',
      `the scaler failed before; next attempt at ${new Date(faults.applyNotBefore).toISOString()}`,
    );
    faulted = true;
  } else if (decision.action !== 'hold') {
    const outcome = await applyUnlessPaused(target, state, decision);
    if (outcome.kind === 'applied') {
      state.currentReplicas = outcome.replicas;
      decision.applied = true;
      faults.applyFailures = 0;
      faults.applyNotBefore = null;
      if (decision.action === 'up') state.lastScaleUpAt = now;
      else state.lastScaleDownAt = now;
    } else if (outcome.kind === 'paused') {
      decision.reasons.push({
        code: 'paused',
        message: `paused while the scaler call was retrying (${state.paused?.reason ?? 'paused'}): cancelled, not applied`,
      });
    } else {
      faults.applyFailures += 1;
      faults.applyNotBefore = nextApplyAt(Date.now(), faults.applyFailures, outcome.refused, policy.tickIntervalMs);
      const retry = `next attempt at ${new Date(faults.applyNotBefore).toISOString()}`;
      decision = asHold(
        decision,
        outcome.refused ? 'scaler-refused' : 'scaler-unavailable',
        `the scaler ${outcome.refused ? 'refused' : 'failed'} (${outcome.message}); ${retry}`,
      );
      faulted = true;
    }
  }
  await finish(target, state, decision, faulted);
  if (decision.applied && !state.override) {
    const cooldown = Math.min(policy.scaleUpCooldownMs, policy.scaleDownCooldownMs);
    await sleep(cooldown, { summary: `cooldown ${cooldown / 1000} s after scaling ${decision.from}→${decision.to}` });
  }
}

/** A decision that could not be applied becomes a hold at the current count, keeping why it was wanted. */
function asHold(d: Decision, code: string, message: string): Decision {
  return {
    ...d,
    action: 'hold',
    to: d.from,
    applied: false,
    reasons: [{ code, message: `wanted ${d.from}→${d.to}, holding: ${message}` }, ...d.reasons],
  };
}

type ApplyOutcome = { kind: 'applied'; replicas: number } | { kind: 'paused' } | { kind: 'failed'; refused: boolean; message: string };

/** The scaler call, cancelled by a pause that arrives while it is still retrying. */
async function applyUnlessPaused(target: ScalingTarget, state: ControllerState, decision: Decision): Promise<ApplyOutcome> {
  const info = workflowInfo();
  const key = idempotencyKeyFor(info.workflowId, decision.seq, info.firstExecutionRunId);
  const scope = new CancellationScope();
  const call = scope.run(() => apply.executeWithOptions({ summary: summarize(decision) }, [target, decision.to, key]));
  let settled = false;
  const outcome: Promise<ApplyOutcome> = call
    .then(
      (replicas): ApplyOutcome => ({ kind: 'applied', replicas }),
      (err: unknown): ApplyOutcome =>
        isCancellation(err) ? { kind: 'paused' } : { kind: 'failed', refused: isRefusal(err), message: causeOf(err) },
    )
    .finally(() => {
      settled = true;
    });
  await condition(() => settled || state.paused !== null);
  if (!settled) scope.cancel();
  return outcome;
}

const REFUSALS: string[] = [CONTROLLER_FAILURE.scalerRefused, CONTROLLER_FAILURE.scalerMisconfigured];
function isRefusal(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && REFUSALS.includes(cause.type ?? '');
}

export function causeOf(err: unknown): string {
  const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
  return String(cause).slice(0, 300);
}

/** Remembers the decision and records it after any earlier ones whose record failed; a failed record is kept for the next tick. */
async function finish(target: ScalingTarget, state: ControllerState, decision: Decision, faulted: boolean): Promise<void> {
  const { faults } = state;
  state.desiredReplicas = decision.to;
  remember(state, decision);
  setCurrentDetails(detailsOf(target, state));
  const queue = [...faults.unrecorded, decision];
  faults.unrecorded = [];
  for (let i = 0; i < queue.length; i++) {
    try {
      await record.executeWithOptions({ summary: summarize(queue[i]) }, [target.id, queue[i]]);
    } catch (err) {
      if (!queue[i].reasons.some((r) => r.code === 'record-delayed')) {
        queue[i].reasons.push({ code: 'record-delayed', message: `not recorded at first (${causeOf(err)}): kept and recorded late` });
      }
      faults.unrecorded = queue.slice(i).slice(-MAX_UNRECORDED);
      faulted = true;
      break;
    }
  }
  faults.streak = faulted ? faults.streak + 1 : 0;
}

async function tryForecast(target: ScalingTarget): Promise<{ forecast: ForecastSummary | null; error?: string }> {
  if (target.policy.forecastHorizonWindows === 0) return { forecast: null, error: 'forecasting disabled by policy' };
  try {
    const horizon = target.policy.forecastHorizonWindows;
    return { forecast: await forecast.executeWithOptions({ summary: `forecast ${horizon} windows` }, [target.service, horizon]) };
  } catch (err) {
    return { forecast: null, error: causeOf(err) };
  }
}
