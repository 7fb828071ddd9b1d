import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import {
  clearOverrideSignal,
  CONTROLLER_WORKFLOW_TYPE,
  ControllerStatus,
  Decision,
  decisionsQuery,
  overrideSignal,
  OverrideRequest,
  parseTarget,
  pauseSignal,
  resumeSignal,
  SA,
  ScalingPolicy,
  ScalingTarget,
  setPolicyUpdate,
  statusQuery,
  WORKFLOW_ID_PREFIX,
  workflowIdFor,
} from '@smartscale/contracts';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { loadTargets } from '../config/targets';
import { ScalersService } from '../scalers/scalers.service';
import { TemporalClientProvider } from '../worker/temporal-client.provider';

export class UnknownTargetError extends Error {}
export class TargetExistsError extends Error {}

/** Starts one controller workflow per configured target and talks to them for the control API. */
@Injectable()
export class TargetsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(TargetsService.name);
  private readonly targets = new Map<string, ScalingTarget>();

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly temporal: TemporalClientProvider,
    private readonly scalers: ScalersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const target of loadTargets(this.config.targetsFile, this.config.limits)) await this.ensureStarted(target);
    await this.discoverRunning();
  }

  /**
   * A target added through the API (POST /v1/targets): validated with the deployment's caps, then its
   * controller started. Past SMARTSCALE_MAX_TARGETS it is a schema error like any other (a 400).
   */
  async create(input: unknown): Promise<ScalingTarget> {
    const target = parseTarget(input, this.config.limits);
    if (this.targets.has(target.id))
      throw new TargetExistsError(`target "${target.id}" exists; change its policy with PUT /v1/targets/${target.id}/policy`);
    if (this.targets.size >= this.config.limits.maxTargets) {
      const message = `at most ${this.config.limits.maxTargets} targets (SMARTSCALE_MAX_TARGETS); remove one first`;
      throw new z.ZodError([{ code: 'custom', path: [], message, input: undefined }]);
    }
    await this.ensureStarted(target);
    return target;
  }

  /** Ends the target's controller; what it scaled stays at its current count, but a local target's processes stop with it. */
  async remove(id: string, reason: string): Promise<void> {
    await (await this.handle(id)).terminate(reason);
    this.targets.delete(id);
    await this.scalers.release(id);
  }

  /**
   * Targets added through the API live only in their workflows: after a worker restart they are found
   * again by listing the controllers on this task queue (their memo holds service, scaler, policy). A
   * controller whose latest run failed or timed out (not one terminated by a remove) is started again,
   * so a failed run does not lose the target. Every memo passes the same schema as a POST.
   */
  private async discoverRunning(): Promise<void> {
    const client = await this.temporal.client();
    const statuses = ['Running', 'Failed', 'TimedOut'].map((s) => `ExecutionStatus = '${s}'`).join(' OR ');
    const query = `WorkflowType = '${CONTROLLER_WORKFLOW_TYPE}' AND TaskQueue = '${this.config.temporal.taskQueue}' AND (${statuses})`;
    for await (const wf of client.workflow.list({ query })) {
      const id = wf.workflowId.startsWith(WORKFLOW_ID_PREFIX) ? wf.workflowId.slice(WORKFLOW_ID_PREFIX.length) : null;
      if (!id || this.targets.has(id)) continue;
      const memo = (wf.memo ?? {}) as Partial<Pick<ScalingTarget, 'service' | 'scaler' | 'policy'>>;
      let target: ScalingTarget;
      try {
        target = parseTarget({ id, service: memo.service, scaler: memo.scaler, policy: memo.policy }, this.config.limits);
      } catch (err) {
        const why =
          err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message;
        this.logger.warn(`ignoring controller ${wf.workflowId}: its memo is not a valid target (${why})`);
        continue;
      }
      if (wf.status.name === 'RUNNING') {
        this.targets.set(id, target);
        this.logger.log(`found running controller ${wf.workflowId} (added through the API)`);
        continue;
      }
      // Closed: only if it is still the latest run of that id (a later run, or a remove, wins).
      const latest = await client.workflow.getHandle(wf.workflowId).describe();
      if (latest.runId !== wf.runId) continue;
      this.logger.warn(`controller ${wf.workflowId} ended ${latest.status.name}; starting it again`);
      await this.ensureStarted(target);
    }
  }

  /** Idempotent: a running controller for the target is left as it is. */
  async ensureStarted(target: ScalingTarget): Promise<void> {
    this.targets.set(target.id, target);
    const client = await this.temporal.client();
    const workflowId = workflowIdFor(target.id);
    try {
      await client.workflow.start(CONTROLLER_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.config.temporal.taskQueue,
        args: [{ target }],
        typedSearchAttributes: [
          { key: SA.target, value: target.id },
          { key: SA.paused, value: false },
        ],
        memo: { policy: target.policy, service: target.service, scaler: target.scaler },
        staticSummary: `SmartScale controller for ${target.id} (service ${target.service}, ${target.scaler.kind} scaler)`,
      });
      this.logger.log(`started ${workflowId}: ${this.uiLink(target.id)}`);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      this.logger.log(`${workflowId} already running: ${this.uiLink(target.id)}`);
    }
  }

  ids(): string[] {
    return [...this.targets.keys()].sort();
  }

  async status(id: string): Promise<ControllerStatus> {
    return (await this.handle(id)).query(statusQuery);
  }

  async decisions(id: string): Promise<Decision[]> {
    return (await this.handle(id)).query(decisionsQuery);
  }

  async pause(id: string, reason: string, forMs?: number): Promise<void> {
    await (await this.handle(id)).signal(pauseSignal, { reason, forMs });
  }

  async resume(id: string): Promise<void> {
    await (await this.handle(id)).signal(resumeSignal);
  }

  async override(id: string, req: OverrideRequest): Promise<void> {
    await (await this.handle(id)).signal(overrideSignal, req);
  }

  async clearOverride(id: string): Promise<void> {
    await (await this.handle(id)).signal(clearOverrideSignal);
  }

  /** Fields not given keep their current value; the whole result is validated here and again by the workflow. */
  async setPolicy(id: string, changes: Record<string, unknown>): Promise<ScalingPolicy> {
    const handle = await this.handle(id);
    const current = (await handle.query(statusQuery)).policy;
    const { policy } = parseTarget({ ...this.targets.get(id), policy: { ...current, ...changes } }, this.config.limits);
    return handle.executeUpdate(setPolicyUpdate, { args: [policy] });
  }

  uiLink(id: string): string {
    return `${this.config.temporal.uiUrl}/namespaces/${this.config.temporal.namespace}/workflows/${encodeURIComponent(workflowIdFor(id))}`;
  }

  private async handle(id: string) {
    if (!this.targets.has(id)) throw new UnknownTargetError(`unknown target "${id}"; known: ${this.ids().join(', ') || 'none'}`);
    const client = await this.temporal.client();
    return client.workflow.getHandle(workflowIdFor(id));
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof UnknownTargetError || err instanceof WorkflowNotFoundError;
