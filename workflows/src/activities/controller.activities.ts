import { ApplicationFailure } from '@temporalio/common';
import { Decision, parseTarget, ScalingTarget, TargetLimits, targetProblems } from '@smartscale/contracts';
import { CONTROLLER_FAILURE } from '@smartscale/contracts/workflow';
import type { ForecastSummary } from '@smartscale/policy';
import { ScalerMisconfigured, ScalerRefused, Scaler } from '../scalers/scaler';
import type { ControllerActivities, ObserveResult } from './controller-activity.types';

/** The adapters the activities need, injected so that each activity stays a thin call (CONVENTIONS §10). */
export interface ControllerActivityDeps {
  latestWindow(
    service: string,
  ): { eventsPerSecond: number; windowEnd: number; consumerLag: number; latencyP95: number | null; errorRate: number } | null;
  pendingEvents(): Promise<number | null>;
  forecast(service: string, horizon: number): Promise<ForecastSummary>;
  scalerFor(target: ScalingTarget): Promise<Scaler>;
  record(targetId: string, decision: Decision): Promise<void>;
  /** The deployment's configured caps, checked with every target that reaches the worker. */
  limits: TargetLimits;
}

export function createControllerActivities(deps: ControllerActivityDeps): ControllerActivities {
  return {
    async observe(target: ScalingTarget): Promise<ObserveResult> {
      const scaler = await permanent(() => deps.scalerFor(target));
      const w = deps.latestWindow(target.service);
      const [currentReplicas, pendingEvents] = await Promise.all([permanent(() => scaler.current()), deps.pendingEvents()]);
      const window = w && {
        eventsPerSecond: w.eventsPerSecond,
        windowEnd: w.windowEnd,
        consumerLag: w.consumerLag,
        latencyP95: w.latencyP95,
        errorRate: w.errorRate,
      };
      return { window, currentReplicas, pendingEvents };
    },
    forecast: (service, horizon) => deps.forecast(service, horizon),
    async apply(target, replicas, idempotencyKey) {
      const scaler = await permanent(() => deps.scalerFor(target));
      return permanent(() => scaler.apply(replicas, idempotencyKey));
    },
    record: (targetId, decision) => deps.record(targetId, decision),
    async validateTarget(target) {
      const problems = targetProblems(target, deps.limits);
      return problems.length > 0 ? { ok: false, problems } : { ok: true, target: parseTarget(target, deps.limits) };
    },
  };
}

/**
 * Misconfiguration and refusals are not retried by the activity: they become non-retryable failures of
 * their type, which the workflow records as a hold and asks again slowly (never a failed workflow).
 */
async function permanent<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ScalerMisconfigured) throw ApplicationFailure.nonRetryable(err.message, CONTROLLER_FAILURE.scalerMisconfigured);
    if (err instanceof ScalerRefused) throw ApplicationFailure.nonRetryable(err.message, CONTROLLER_FAILURE.scalerRefused);
    throw err;
  }
}
