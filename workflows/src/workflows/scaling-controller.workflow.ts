import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  clearOverrideSignal,
  CONTROLLER_FAILURE,
  ControllerInput,
  ControllerState,
  decisionsQuery,
  DEFAULT_MAX_TICKS_PER_RUN,
  overrideSignal,
  pauseSignal,
  resumeSignal,
  SA,
  scalerPolicyProblem,
  ScalingTarget,
  setPolicyUpdate,
  statusQuery,
} from '@smartscale/contracts/workflow';
import { policyProblems } from '@smartscale/policy';
import type { ControllerActivities } from '../activities/controller-activity.types';
import { ACTIVITY_OPTIONS } from './activity-options';
import { detailsOf, faultBackoffMs, faultHold, initialState, statusOf, toOverride } from './controller-state';
import { causeOf, tick } from './controller-tick';

// The worker's check of a target (the REST API's zod schema and caps), and the record of a refusal.
const check = proxyLocalActivities<ControllerActivities>(ACTIVITY_OPTIONS.check);
const refusalRecord = proxyLocalActivities<ControllerActivities>(ACTIVITY_OPTIONS.reads);

/** One long-lived controller per target (id `scaler/<target>`): observe → predict → decide → apply → cooldown. */
export async function scalingControllerWorkflow(input: ControllerInput): Promise<void> {
  const state: ControllerState = input.state ?? initialState();
  // Before the target check, so that a refused controller still answers what it recorded (queries are not history).
  setHandler(decisionsQuery, () => state.decisions);
  const target = await checkedTarget(input.target, state);
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
    async (policy) => {
      // The synchronous validator has the fixed rules; the worker adds the deployment's caps (local replicas, tick floor).
      const checked = await check.validateTarget({ ...target, policy });
      if (!checked.ok)
        throw ApplicationFailure.nonRetryable(`invalid policy: ${checked.problems.join('; ')}`, CONTROLLER_FAILURE.invalidTarget);
      target.policy = policy;
      upsertMemo({ policy });
      wake = true;
      return policy;
    },
    { validator: (policy) => assertValidPolicy(target, policy) },
  );
  setHandler(statusQuery, () => statusOf(target, state));

  const maxTicks = input.maxTicksPerRun ?? DEFAULT_MAX_TICKS_PER_RUN;
  let published: string | null = null;
  for (let ticks = 1; ; ticks++) {
    expireTimed(state);
    if (!state.paused) await tick(target, state);
    published = publish(target, state, published);
    wake = false;
    await condition(() => wake, nextWakeMs(target, state), {
      summary: state.paused ? `paused: ${state.paused.reason}` : 'until the next tick',
    });
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
  return Math.min(faultBackoffMs(state.faults.streak, target.policy.tickIntervalMs), ...expiries.map((t) => Math.max(1, t - Date.now())));
}

/**
 * A workflow started directly in Temporal (or rediscovered from its memo) passes the same schema and
 * caps as a POST /v1/targets, checked by the worker, and runs as parsed (defaults filled in). A bad target never acts: one hold is recorded
 * with every problem, and the run fails non-retryably, so the Web UI shows why and nothing revives it.
 * (A hold loop that never applies would keep a target nobody can fix running forever: its scaler
 * spec cannot be changed, only its policy.)
 */
async function checkedTarget(target: unknown, state: ControllerState): Promise<ScalingTarget> {
  const checked = await check.validateTarget(target);
  if (checked.ok) return checked.target;
  const message = `invalid target, refused: ${checked.problems.join('; ')}`;
  const id = typeof (target as { id?: unknown } | null)?.id === 'string' ? (target as { id: string }).id : workflowInfo().workflowId;
  state.seq += 1;
  // Stamped with the run's start (its started event; not Date.now() nor runStartTime, which are the task's
  // time): a signal arriving meanwhile makes the server reject the failing task, the retry records
  // again, and the history's key (target, at, seq) must then match the first record.
  const hold = faultHold(state.seq, workflowInfo().startTime.getTime(), state.currentReplicas ?? 0, 'invalid-target', message);
  state.decisions.push(hold);
  await refusalRecord.record(id, hold).catch((err: unknown) => log.warn(`the refusal of ${id} was not recorded: ${causeOf(err)}`));
  throw ApplicationFailure.nonRetryable(message, CONTROLLER_FAILURE.invalidTarget);
}

function expireTimed(state: ControllerState): void {
  if (state.override && Date.now() >= state.override.expiresAt) state.override = null;
  if (state.paused?.until != null && Date.now() >= state.paused.until) state.paused = null;
}

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
  if (current !== last) upsertSearchAttributes([...attributes]);
  setCurrentDetails(detailsOf(target, state));
  return current;
}
