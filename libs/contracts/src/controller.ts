/**
 * The controller's Temporal contract: task queue, workflow ids, messages and search attributes.
 * Imported by the workflow, the worker, the REST API, the CLI and the tests; free of Node and zod.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Decision, ScalingTarget } from './policy';
import searchAttributeTypes from './search-attributes.json';

export const TASK_QUEUE = 'smartscale-controller';
export const WORKFLOW_ID_PREFIX = 'scaler/';
export const workflowIdFor = (targetId: string): string => `${WORKFLOW_ID_PREFIX}${targetId}`;
/**
 * `<workflowId>/<first run id>/<decision seq>`: a retried or replayed apply never scales twice, and a
 * controller started again under the same id (after a terminate or a `remove` and `add`) starts its
 * seq at 1 without its keys colliding with the old ones, which a scaler may still remember. The first
 * run id stays the same across continue-as-new, as the seq carries on.
 */
export const idempotencyKeyFor = (workflowId: string, seq: number, firstRunId: string): string => `${workflowId}/${firstRunId}/${seq}`;

export interface PauseInfo {
  reason: string;
  since: number;
  /** A pause with a duration resumes by itself on a durable timer; null pauses until resumed. */
  until: number | null;
}

/** What the workflow carries across ticks and across continue-as-new. */
export interface ControllerState {
  seq: number;
  currentReplicas: number | null;
  desiredReplicas: number | null;
  paused: PauseInfo | null;
  override: OverrideInfo | null;
  lastScaleUpAt: number | null;
  lastScaleDownAt: number | null;
  /** Recent raw recommendations, for the scale-down stabilisation window. */
  recommendations: { at: number; replicas: number }[];
  /** The newest decisions, bounded by MAX_DECISIONS_KEPT. */
  decisions: Decision[];
  faults: FaultState;
}

/** What a controller knows about the faults it is riding out, carried across ticks and continue-as-new. */
export interface FaultState {
  /** Ticks in a row with a fault (observe, apply or record failed); 0 after a clean tick. */
  streak: number;
  /** No scaler call before this time: backoff after a failed apply. */
  applyNotBefore: number | null;
  /** Failed applies in a row, for the backoff. */
  applyFailures: number;
  /** Decisions whose record failed, oldest first, retried before the next one is recorded. */
  unrecorded: Decision[];
}

export const MAX_DECISIONS_KEPT = 50;

export interface ControllerInput {
  target: ScalingTarget;
  state?: ControllerState;
  maxTicksPerRun?: number;
}

export interface ControllerStatus {
  targetId: string;
  service: string;
  paused: PauseInfo | null;
  override: OverrideInfo | null;
  currentReplicas: number | null;
  desiredReplicas: number | null;
  seq: number;
  lastDecision: Decision | null;
  policy: ScalingTarget['policy'];
}

/** Signal payloads are objects so that fields can be added without breaking old senders. */
export const pauseSignal = defineSignal<[{ reason?: string; forMs?: number } | string | undefined]>('pause');
export const resumeSignal = defineSignal<[]>('resume');
export const statusQuery = defineQuery<ControllerStatus>('status');
export const decisionsQuery = defineQuery<Decision[]>('decisions');

export const SEARCH_ATTRIBUTE_TYPES: Record<string, string> = searchAttributeTypes;
export const SA = {
  target: defineSearchAttributeKey('SmartScaleTarget', 'KEYWORD'),
  paused: defineSearchAttributeKey('SmartScalePaused', 'BOOL'),
  desiredReplicas: defineSearchAttributeKey('SmartScaleDesiredReplicas', 'INT'),
  currentReplicas: defineSearchAttributeKey('SmartScaleCurrentReplicas', 'INT'),
  lastAction: defineSearchAttributeKey('SmartScaleLastAction', 'KEYWORD'),
} as const;

/** Started by name from Node code, so that the client never imports workflow code. */
export const CONTROLLER_WORKFLOW_TYPE = 'scalingControllerWorkflow';

/** An operator's fixed replica count that wins over decide() until it expires on a durable timer. */
export interface OverrideInfo {
  replicas: number;
  reason: string;
  since: number;
  expiresAt: number;
}

export interface OverrideRequest {
  replicas: number;
  ttlMs: number;
  reason?: string;
}

export const overrideSignal = defineSignal<[OverrideRequest]>('override');
export const clearOverrideSignal = defineSignal<[]>('clearOverride');
export const setPolicyUpdate = defineUpdate<ScalingTarget['policy'], [ScalingTarget['policy']]>('setPolicy');

/** Ticks per run before continue-as-new, so that a history stays bounded even if the server never suggests it. */
export const DEFAULT_MAX_TICKS_PER_RUN = 500;
