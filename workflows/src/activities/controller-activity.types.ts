import type { Decision, ScalingTarget } from '@smartscale/contracts/workflow';
import type { ForecastSummary } from '@smartscale/policy';

/** The latest closed window of a service, if any, and the replica count the scaler reports. */
export interface ObserveResult {
  window: { eventsPerSecond: number; windowEnd: number; consumerLag: number; latencyP95?: number | null; errorRate?: number | null } | null;
  currentReplicas: number;
  /** Events waiting in the scaled consumer group, for waking a target at zero; null when unknown. */
  pendingEvents: number | null;
}

export type TargetCheck = { ok: true; target: ScalingTarget } | { ok: false; problems: string[] };

/** What the workflow may call. Types only: the workflow file imports this with `import type`. */
export interface ControllerActivities {
  observe(target: ScalingTarget): Promise<ObserveResult>;
  forecast(service: string, horizonWindows: number): Promise<ForecastSummary>;
  apply(target: ScalingTarget, replicas: number, idempotencyKey: string): Promise<number>;
  record(targetId: string, decision: Decision): Promise<void>;
  /**
   * The target under the same zod schema and configured caps as the REST API: parsed (defaults filled
   * in), or its problems. A workflow started directly in Temporal is checked like a POST.
   */
  validateTarget(target: unknown): Promise<TargetCheck>;
}
