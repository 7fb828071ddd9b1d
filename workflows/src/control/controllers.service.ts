import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import {
  clearOverrideSignal, CONTROLLER_WORKFLOW_TYPE, ControllerStatus, Decision, decisionsQuery, overrideSignal, OverrideRequest, parsePolicy, parseTarget, pauseSignal,
  resumeSignal, SA, ScalingPolicy, ScalingTarget, setPolicyUpdate, statusQuery, WORKFLOW_ID_PREFIX, workflowIdFor,
} from '@smartscale/contracts';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { loadTargets } from '../config/targets';
import { TemporalClientProvider } from '../worker/temporal-client.provider';

export class UnknownTargetError extends Error {}
export class TargetExistsError extends Error {}

/** Starts one controller workflow per configured target and talks to them for the control API. */
@Injectable()
export class ControllersService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ControllersService.name);
  private readonly targets = new Map<string, ScalingTarget>();

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly temporal: TemporalClientProvider,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const target of loadTargets(this.config.targetsFile)) await this.ensureStarted(target);
    await this.discoverRunning();
  }

  /** A target added through the API (POST /v1/targets): validated, then its controller started. */
  async create(input: unknown): Promise<ScalingTarget> {
    const target = parseTarget(input);
    if (this.targets.has(target.id)) throw new TargetExistsError(`target "${target.id}" exists; change its policy with PUT /v1/targets/${target.id}/policy`);
    await this.ensureStarted(target);
    return target;
  }

  /** Ends the target's controller; what it scaled stays at its current count. */
  async remove(id: string, reason: string): Promise<void> {
    await (await this.handle(id)).terminate(reason);
    this.targets.delete(id);
  }

  /**
   * Targets added through the API live only in their workflows: after a worker restart they are found
   * again by listing the running controllers on this task queue (their memo holds service, scaler, policy).
   */
  private async discoverRunning(): Promise<void> {
    const client = await this.temporal.client();
    const query = `WorkflowType = '${CONTROLLER_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.config.temporal.taskQueue}'`;
    for await (const wf of client.workflow.list({ query })) {
      const id = wf.workflowId.startsWith(WORKFLOW_ID_PREFIX) ? wf.workflowId.slice(WORKFLOW_ID_PREFIX.length) : null;
      const memo = (wf.memo ?? {}) as Partial<Pick<ScalingTarget, 'service' | 'scaler' | 'policy'>>;
      if (!id || this.targets.has(id) || !memo.service || !memo.scaler || !memo.policy) continue;
      this.targets.set(id, { id, service: memo.service, scaler: memo.scaler, policy: memo.policy });
      this.logger.log(`found running controller ${wf.workflowId} (added through the API)`);
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
        typedSearchAttributes: [{ key: SA.target, value: target.id }, { key: SA.paused, value: false }],
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
    const policy = parsePolicy({ ...current, ...changes });
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
