import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import {
  clearOverrideSignal, CONTROLLER_WORKFLOW_TYPE, ControllerStatus, Decision, decisionsQuery, overrideSignal, OverrideRequest, parsePolicy, pauseSignal, resumeSignal,
  SA, ScalingPolicy, ScalingTarget, setPolicyUpdate, statusQuery, workflowIdFor,
} from '@smartscale/contracts';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { loadTargets } from '../config/targets';
import { TemporalClientProvider } from '../worker/temporal-client.provider';

export class UnknownTargetError extends Error {}

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
