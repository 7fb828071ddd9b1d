import {
  allHandlersFinished, condition, continueAsNew, proxyActivities, setCurrentDetails, setHandler, sleep, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import {
  ControllerInput, ControllerState, Decision, decisionsQuery, idempotencyKeyFor, pauseSignal, resumeSignal, SA, ScalingTarget, statusQuery,
} from '@smartscale/contracts/workflow';
import { decide, ForecastSummary } from '@smartscale/policy';
import type { ControllerActivities } from '../activities/controller-activity.types';
import { detailsOf, initialState, remember, statusOf, summarize } from './controller-state';

// Grouped by timeout and retry profile (CONVENTIONS §10). The forecast is optional, so it gets one
// quick retry and the decision falls back to the reactive rule; apply must happen, so it retries long.
const { observe, record } = proxyActivities<ControllerActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 5, initialInterval: '500ms' } });
const { forecast } = proxyActivities<ControllerActivities>({ startToCloseTimeout: '3s', retry: { maximumAttempts: 2, initialInterval: '200ms' } });
const { apply } = proxyActivities<ControllerActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['ScalerMisconfigured'] } });

/** One long-lived controller per target (id `scaler/<target>`): observe → predict → decide → apply → cooldown. */
export async function scalingControllerWorkflow(input: ControllerInput): Promise<void> {
  const { target } = input;
  const state = input.state ?? initialState();
  let wake = false;
  setHandler(pauseSignal, (arg) => {
    const reason = typeof arg === 'string' ? arg : (arg?.reason ?? 'paused by operator');
    state.paused = { reason, since: Date.now() };
    wake = true;
  });
  setHandler(resumeSignal, () => {
    state.paused = null;
    wake = true;
  });
  setHandler(statusQuery, () => statusOf(target, state));
  setHandler(decisionsQuery, () => state.decisions);

  for (;;) {
    if (!state.paused) await tick(target, state);
    publish(target, state);
    wake = false;
    await condition(() => wake, target.policy.tickIntervalMs);
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof scalingControllerWorkflow>({ target, state });
    }
  }
}

async function tick(target: ScalingTarget, state: ControllerState): Promise<void> {
  const { policy } = target;
  const observed = await observe.executeWithOptions({ startToCloseTimeout: '10s', summary: `observe ${target.service}` }, [target]);
  const fc = await tryForecast(target);
  const now = Date.now();
  const result = decide({
    now,
    observation: observed.window && { ...observed.window, currentReplicas: observed.currentReplicas },
    forecast: fc.forecast,
    forecastError: fc.error,
    policy,
    state,
    lastKnownReplicas: observed.currentReplicas,
  });
  state.seq += 1;
  state.recommendations = result.recommendations;
  state.currentReplicas = observed.currentReplicas;
  const decision: Decision = { seq: state.seq, at: now, action: result.action, from: result.from, to: result.to, reasons: result.reasons, inputs: result.inputs, applied: false };
  if (decision.action !== 'hold' && policy.mode === 'enforce') {
    const key = idempotencyKeyFor(workflowInfo().workflowId, decision.seq);
    state.currentReplicas = await apply.executeWithOptions({ startToCloseTimeout: '30s', summary: summarize(decision) }, [target, decision.to, key]);
    decision.applied = true;
    if (decision.action === 'up') state.lastScaleUpAt = now;
    else state.lastScaleDownAt = now;
  }
  state.desiredReplicas = decision.to;
  remember(state, decision);
  setCurrentDetails(detailsOf(target, state));
  await record.executeWithOptions({ startToCloseTimeout: '10s', summary: summarize(decision) }, [target.id, decision]);
  if (decision.applied) {
    const cooldown = Math.min(policy.scaleUpCooldownMs, policy.scaleDownCooldownMs);
    await sleep(cooldown, { summary: `cooldown ${cooldown / 1000} s after scaling ${decision.from}→${decision.to}` });
  }
}

async function tryForecast(target: ScalingTarget): Promise<{ forecast: ForecastSummary | null; error?: string }> {
  if (target.policy.forecastHorizonWindows === 0) return { forecast: null, error: 'forecasting disabled by policy' };
  try {
    const horizon = target.policy.forecastHorizonWindows;
    return { forecast: await forecast.executeWithOptions({ startToCloseTimeout: '3s', summary: `forecast ${horizon} windows` }, [target.service, horizon]) };
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    return { forecast: null, error: cause };
  }
}

function publish(target: ScalingTarget, state: ControllerState): void {
  upsertSearchAttributes([
    { key: SA.target, value: target.id },
    { key: SA.paused, value: state.paused !== null },
    { key: SA.desiredReplicas, value: state.desiredReplicas ?? null },
    { key: SA.currentReplicas, value: state.currentReplicas ?? null },
    { key: SA.lastAction, value: state.decisions.at(-1)?.action ?? null },
  ]);
  setCurrentDetails(detailsOf(target, state));
}
