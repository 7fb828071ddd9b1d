import {
  ActivityFailure, ApplicationFailure, CancellationScope, condition, isCancellation, patched, proxyActivities, proxyLocalActivities, setCurrentDetails, sleep, workflowInfo,
} from '@temporalio/workflow';
import { CONTROLLER_FAILURE, Decision, idempotencyKeyFor, ScalingTarget } from '@smartscale/contracts/workflow';
import { decide, ForecastSummary } from '@smartscale/policy';
import type { ControllerActivities, ObserveResult } from '../activities/controller-activity.types';
import { detailsOf, faultHold, faultsOf, MAX_UNRECORDED, nextApplyAt, overrideResult, remember, RunState, summarize } from './controller-state';

// Grouped by timeout and retry profile (CONVENTIONS §10). No profile fails the workflow: each read,
// apply and record has a few quick attempts per tick; when they run out the tick records a hold with
// the reason, and the next tick (backed off while the fault lasts) tries again. The forecast is
// optional, so it gets one quick retry and the decision falls back to the reactive rule.
const reads = { startToCloseTimeout: '10s', retry: { maximumAttempts: 3, initialInterval: '500ms' } } as const;
const { observe, record } = proxyActivities<ControllerActivities>(reads);
const { forecast } = proxyActivities<ControllerActivities>({ startToCloseTimeout: '3s', retry: { maximumAttempts: 2, initialInterval: '200ms' } });
// apply: 408, 409, 429, 5xx and lost workers are retried here with backoff (a worker killed inside the
// call is retried by the next one with the same key); refusals are not, and wait REFUSED_RETRY_MS.
const { apply } = proxyActivities<ControllerActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 4, nonRetryableErrorTypes: [CONTROLLER_FAILURE.scalerMisconfigured, CONTROLLER_FAILURE.scalerRefused] },
});
// The same reads and the record as local activities: run inside the workflow task, one marker event
// each instead of three events and another workflow task (bench:controller: events per decision and
// decisions per second). apply stays a regular activity, durable and cancellable by a pause.
const local = proxyLocalActivities<ControllerActivities>(reads);
const localForecast = proxyLocalActivities<ControllerActivities>({ startToCloseTimeout: '3s', retry: { maximumAttempts: 2, initialInterval: '200ms' } }).forecast;
/** Histories recorded before observe, forecast and record ran as local activities replay the old way. */
export const LOCAL_ACTIVITIES = 'observe-forecast-record-as-local-activities';
/** Idempotency keys carry the first run id: a controller started again under its id must not reuse old keys. */
const KEY_WITH_RUN = 'idempotency-key-with-first-run-id';

/** One tick: observe → predict → decide → apply → record, every fault recorded as a hold with its reason. */
export async function tick(target: ScalingTarget, state: RunState): Promise<void> {
  const { policy } = target;
  const useLocal = patched(LOCAL_ACTIVITIES);
  const faults = faultsOf(state);
  let faulted = false;
  let observed: ObserveResult;
  try {
    const options = { startToCloseTimeout: '10s', summary: `observe ${target.service}` } as const;
    observed = useLocal ? await local.observe.executeWithOptions(options, [target]) : await observe.executeWithOptions(options, [target]);
  } catch (err) {
    state.seq += 1;
    const hold = faultHold(state.seq, Date.now(), state.currentReplicas ?? 0, 'observe-failed', `cannot observe ${target.service} or its scaler (${causeOf(err)}): holding, retrying with backoff`);
    await finish(target, state, hold, useLocal, true);
    return;
  }
  const fc = await tryForecast(target, useLocal);
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
  let decision: Decision = { seq: state.seq, at: now, action: result.action, from: result.from, to: result.to, reasons: result.reasons, inputs: result.inputs, applied: false };
  if (decision.action !== 'hold' && state.paused) {
    // The pause arrived while this tick was observing: it is recorded, never applied.
    decision.reasons.push({ code: 'paused', message: `paused during the decision (${state.paused.reason}): not applied` });
  } else if (decision.action !== 'hold' && policy.mode === 'recommend') {
    decision.reasons.push({ code: 'recommend-only', message: 'recommend mode: recorded for comparison, not applied' });
  } else if (decision.action !== 'hold' && faults.applyNotBefore !== null && now < faults.applyNotBefore) {
    decision = asHold(decision, 'scaler-backoff', `the scaler failed before; next attempt at ${new Date(faults.applyNotBefore).toISOString()}`);
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
      decision.reasons.push({ code: 'paused', message: `paused while the scaler call was retrying (${state.paused?.reason ?? 'paused'}): cancelled, not applied` });
    } else {
      faults.applyFailures += 1;
      faults.applyNotBefore = nextApplyAt(Date.now(), faults.applyFailures, outcome.refused, policy.tickIntervalMs);
      const retry = `next attempt at ${new Date(faults.applyNotBefore).toISOString()}`;
      decision = asHold(decision, outcome.refused ? 'scaler-refused' : 'scaler-unavailable', `the scaler ${outcome.refused ? 'refused' : 'failed'} (${outcome.message}); ${retry}`);
      faulted = true;
    }
  }
  await finish(target, state, decision, useLocal, faulted);
  if (decision.applied && !state.override) {
    const cooldown = Math.min(policy.scaleUpCooldownMs, policy.scaleDownCooldownMs);
    await sleep(cooldown, { summary: `cooldown ${cooldown / 1000} s after scaling ${decision.from}→${decision.to}` });
  }
}

/** A decision that could not be applied becomes a hold at the current count, keeping why it was wanted. */
function asHold(d: Decision, code: string, message: string): Decision {
  return { ...d, action: 'hold', to: d.from, applied: false, reasons: [{ code, message: `wanted ${d.from}→${d.to}, holding: ${message}` }, ...d.reasons] };
}

type ApplyOutcome = { kind: 'applied'; replicas: number } | { kind: 'paused' } | { kind: 'failed'; refused: boolean; message: string };

/** The scaler call, cancelled by a pause that arrives while it is still retrying. */
async function applyUnlessPaused(target: ScalingTarget, state: RunState, decision: Decision): Promise<ApplyOutcome> {
  const info = workflowInfo();
  const key = idempotencyKeyFor(info.workflowId, decision.seq, patched(KEY_WITH_RUN) ? info.firstExecutionRunId : undefined);
  const scope = new CancellationScope();
  const call = scope.run(() => apply.executeWithOptions({ startToCloseTimeout: '30s', summary: summarize(decision) }, [target, decision.to, key]));
  let settled = false;
  const outcome: Promise<ApplyOutcome> = call.then(
    (replicas): ApplyOutcome => ({ kind: 'applied', replicas }),
    (err: unknown): ApplyOutcome => (isCancellation(err) ? { kind: 'paused' } : { kind: 'failed', refused: isRefusal(err), message: causeOf(err) }),
  ).finally(() => {
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
async function finish(target: ScalingTarget, state: RunState, decision: Decision, useLocal: boolean, faulted: boolean): Promise<void> {
  const faults = faultsOf(state);
  state.desiredReplicas = decision.to;
  remember(state, decision);
  setCurrentDetails(detailsOf(target, state));
  const queue = [...faults.unrecorded, decision];
  faults.unrecorded = [];
  for (let i = 0; i < queue.length; i++) {
    const options = { startToCloseTimeout: '10s', summary: summarize(queue[i]) } as const;
    try {
      if (useLocal) await local.record.executeWithOptions(options, [target.id, queue[i]]);
      else await record.executeWithOptions(options, [target.id, queue[i]]);
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

async function tryForecast(target: ScalingTarget, useLocal: boolean): Promise<{ forecast: ForecastSummary | null; error?: string }> {
  if (target.policy.forecastHorizonWindows === 0) return { forecast: null, error: 'forecasting disabled by policy' };
  try {
    const horizon = target.policy.forecastHorizonWindows;
    const options = { startToCloseTimeout: '3s', summary: `forecast ${horizon} windows` } as const;
    const fn = useLocal ? localForecast : forecast;
    return { forecast: await fn.executeWithOptions(options, [target.service, horizon]) };
  } catch (err) {
    return { forecast: null, error: causeOf(err) };
  }
}
