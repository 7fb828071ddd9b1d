import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { CONTROLLER_FAILURE } from '@smartscale/contracts/workflow';

/**
 * Every timeout and retry of the controller's activities, stated once and grouped by profile
 * (CONVENTIONS §10). A call adds only its summary: `executeWithOptions` merges it over these.
 *
 * No profile fails the workflow: each read, apply and record has a few quick attempts per tick; when
 * they run out the tick records a hold with the reason, and the next tick (backed off while the fault
 * lasts) tries again.
 */
export const ACTIVITY_OPTIONS: {
  reads: LocalActivityOptions;
  forecast: LocalActivityOptions;
  apply: ActivityOptions;
  check: LocalActivityOptions;
} = {
  /**
   * observe and record, as local activities: they run inside the workflow task, one marker event each
   * instead of three events and another workflow task (bench:controller: events per decision and
   * decisions per second).
   */
  reads: { startToCloseTimeout: '10s', retry: { maximumAttempts: 3, initialInterval: '500ms' } },
  /** The forecast is optional: one quick retry, then the decision falls back to the reactive rule. */
  forecast: { startToCloseTimeout: '3s', retry: { maximumAttempts: 2, initialInterval: '200ms' } },
  /**
   * The scaler call stays a regular activity, durable and cancellable by a pause. 408, 409, 429, 5xx and
   * lost workers are retried here with backoff (a worker killed inside the call is retried by the next
   * one with the same key); refusals are not, and wait REFUSED_RETRY_MS.
   */
  apply: {
    startToCloseTimeout: '30s',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '10s',
      maximumAttempts: 4,
      nonRetryableErrorTypes: [CONTROLLER_FAILURE.scalerMisconfigured, CONTROLLER_FAILURE.scalerRefused],
    },
  },
  /** The worker's check of a target (the REST API's zod schema and caps): retried until the worker answers. */
  check: { startToCloseTimeout: '10s', retry: { initialInterval: '1s', maximumInterval: '30s' } },
};
