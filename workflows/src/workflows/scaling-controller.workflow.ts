import {
  allHandlersFinished, condition, continueAsNew, log, patched, proxyActivities, proxyLocalActivities, setCurrentDetails, setHandler, sleep, upsertMemo, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import {
  clearOverrideSignal, ControllerInput, ControllerState, Decision, decisionsQuery, DEFAULT_MAX_TICKS_PER_RUN, idempotencyKeyFor, overrideSignal, pauseSignal,
  resumeSignal, SA, scalerPolicyProblem, ScalingTarget, setPolicyUpdate, statusQuery,
} from '@smartscale/contracts/workflow';
import { decide, ForecastSummary, policyProblems } from '@smartscale/policy';
import type { ControllerActivities } from '../activities/controller-activity.types';
import { detailsOf, initialState, overrideResult, remember, statusOf, summarize, toOverride } from './controller-state';

// Grouped by timeout and retry profile (CONVENTIONS §10). The forecast is optional, so it gets one
// quick retry and the decision falls back to the reactive rule; apply must happen, so it retries long.
const { observe, record } = proxyActivities<ControllerActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 5, initialInterval: '500ms' } });
const { forecast } = proxyActivities<ControllerActivities>({ startToCloseTimeout: '3s', retry: { maximumAttempts: 2, initialInterval: '200ms' } });
const { apply } = proxyActivities<ControllerActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['ScalerMisconfigured'] } });
// The same reads and the record as local activities: run inside the workflow task, one marker event
// each instead of three events and another workflow task (bench:controller: events per decision and
// decisions per second). They are short and idempotent; apply stays a regular activity, durable and
// retried for as long as it takes.
const local = proxyLocalActivities<ControllerActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 5, initialInterval: '500ms' } });
const localForecast = proxyLocalActivities<ControllerActivities>({ startToCloseTimeout: '3s', retry: { maximumAttempts: 2, initialInterval: '200ms' } }).forecast;
/** Histories recorded before observe, forecast and record ran as local activities replay the old way. */
const LOCAL_ACTIVITIES = 'observe-forecast-record-as-local-activities';
/** Idempotency keys carry the first run id: a controller started again under its id must not reuse old keys. */
const KEY_WITH_RUN = 'idempotency-key-with-first-run-id';

/** One long-lived controller per target (id `scaler/<target>`): observe → predict → decide → apply → cooldown. */
export async function scalingControllerWorkflow(input: ControllerInput): Promise<void> {
  const { target } = input;
  const state = input.state ?? initialState();
  let wake = false;
  setHandler(pauseSignal, (arg) => {
    const reason = typeof arg === 'string' ? arg : (arg?.reason ?? 'paused by operator');
    const forMs = typeof arg === 'object' && arg?.forMs && arg.forMs > 0 ? arg.forMs : null;
    state.paused = { reason, since: Date.now(), until: forMs === null ? null : Date.now() + forMs };
    wake = true;
  });
  setHandler(resumeSignal, () => {
    state.paused = null;
    wake = true;
  });
  setHandler(overrideSignal, (req) => {
    try {
      state.override = toOverride(req, Date.now(), target.policy.maxReplicas);
      wake = true;
    } catch (err) {
      log.warn(`override ignored: ${(err as Error).message}`);
    }
  });
  setHandler(clearOverrideSignal, () => {
    state.override = null;
    wake = true;
  });
  setHandler(
    setPolicyUpdate,
    (policy) => {
      target.policy = policy;
      upsertMemo({ policy });
      wake = true;
      return policy;
    },
    { validator: (policy) => assertValidPolicy(target, policy) },
  );
  setHandler(statusQuery, () => statusOf(target, state));
  setHandler(decisionsQuery, () => state.decisions);

  const maxTicks = input.maxTicksPerRun ?? DEFAULT_MAX_TICKS_PER_RUN;
  let published: string | null = null;
  for (let ticks = 1; ; ticks++) {
    expireTimed(state);
    if (!state.paused) await tick(target, state);
    published = publish(target, state, published);
    wake = false;
    await condition(() => wake, nextWakeMs(target, state), { summary: state.paused ? `paused: ${state.paused.reason}` : 'until the next tick' });
    if (workflowInfo().continueAsNewSuggested || ticks >= maxTicks) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof scalingControllerWorkflow>({ target, state, maxTicksPerRun: input.maxTicksPerRun });
    }
  }
}

function assertValidPolicy(target: ScalingTarget, policy: ScalingTarget['policy']): void {
  const problems = policyProblems(policy);
  const withScaler = scalerPolicyProblem(target.scaler, policy);
  if (withScaler) problems.push(withScaler);
  if (problems.length > 0) throw new Error(`invalid policy: ${problems.join('; ')}`);
}

/** The loop's durable timer: the next tick, or an override's or timed pause's expiry if that comes first. */
function nextWakeMs(target: ScalingTarget, state: ControllerState): number {
  const expiries = [state.override?.expiresAt, state.paused?.until].filter((t): t is number => typeof t === 'number');
  return Math.min(target.policy.tickIntervalMs, ...expiries.map((t) => Math.max(1, t - Date.now())));
}

function expireTimed(state: ControllerState): void {
  if (state.override && Date.now() >= state.override.expiresAt) state.override = null;
  if (state.paused?.until != null && Date.now() >= state.paused.until) state.paused = null;
}

async function tick(target: ScalingTarget, state: ControllerState): Promise<void> {
  const { policy } = target;
  const useLocal = patched(LOCAL_ACTIVITIES);
  const observeSummary = { startToCloseTimeout: '10s', summary: `observe ${target.service}` } as const;
  const observed = useLocal ? await local.observe.executeWithOptions(observeSummary, [target]) : await observe.executeWithOptions(observeSummary, [target]);
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
  const decision: Decision = { seq: state.seq, at: now, action: result.action, from: result.from, to: result.to, reasons: result.reasons, inputs: result.inputs, applied: false };
  if (decision.action !== 'hold' && state.paused) {
    // The pause arrived while this tick was observing: it is recorded, never applied.
    decision.reasons.push({ code: 'paused', message: `paused during the decision (${state.paused.reason}): not applied` });
  } else if (decision.action !== 'hold' && policy.mode === 'recommend') {
    decision.reasons.push({ code: 'recommend-only', message: 'recommend mode: recorded for comparison, not applied' });
  } else if (decision.action !== 'hold') {
    const info = workflowInfo();
    const key = idempotencyKeyFor(info.workflowId, decision.seq, patched(KEY_WITH_RUN) ? info.firstExecutionRunId : undefined);
    state.currentReplicas = await apply.executeWithOptions({ startToCloseTimeout: '30s', summary: summarize(decision) }, [target, decision.to, key]);
    decision.applied = true;
    if (decision.action === 'up') state.lastScaleUpAt = now;
    else state.lastScaleDownAt = now;
  }
  state.desiredReplicas = decision.to;
  remember(state, decision);
  setCurrentDetails(detailsOf(target, state));
  const recordOptions = { startToCloseTimeout: '10s', summary: summarize(decision) } as const;
  if (useLocal) await local.record.executeWithOptions(recordOptions, [target.id, decision]);
  else await record.executeWithOptions(recordOptions, [target.id, decision]);
  if (decision.applied && !state.override) {
    const cooldown = Math.min(policy.scaleUpCooldownMs, policy.scaleDownCooldownMs);
    await sleep(cooldown, { summary: `cooldown ${cooldown / 1000} s after scaling ${decision.from}→${decision.to}` });
  }
}

async function tryForecast(target: ScalingTarget, useLocal: boolean): Promise<{ forecast: ForecastSummary | null; error?: string }> {
  if (target.policy.forecastHorizonWindows === 0) return { forecast: null, error: 'forecasting disabled by policy' };
  try {
    const horizon = target.policy.forecastHorizonWindows;
    const options = { startToCloseTimeout: '3s', summary: `forecast ${horizon} windows` } as const;
    const fn = useLocal ? localForecast : forecast;
    return { forecast: await fn.executeWithOptions(options, [target.service, horizon]) };
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    return { forecast: null, error: cause };
  }
}

/** Histories recorded before search attributes were published only on change replay the old way. */
const PUBLISH_ON_CHANGE = 'publish-search-attributes-on-change';

/**
 * Search attributes for filtering in the Web UI, upserted only when one changes: each upsert is a
 * history event and a visibility write, and most ticks change nothing. Returns what is published.
 */
function publish(target: ScalingTarget, state: ControllerState, last: string | null): string {
  const attributes = [
    { key: SA.target, value: target.id },
    { key: SA.paused, value: state.paused !== null },
    { key: SA.desiredReplicas, value: state.desiredReplicas ?? null },
    { key: SA.currentReplicas, value: state.currentReplicas ?? null },
    { key: SA.lastAction, value: state.decisions.at(-1)?.action ?? null },
  ] as const;
  const current = JSON.stringify(attributes.map((a) => a.value));
  if (current !== last || !patched(PUBLISH_ON_CHANGE)) upsertSearchAttributes([...attributes]);
  setCurrentDetails(detailsOf(target, state));
  return current;
}
