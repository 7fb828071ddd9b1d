import type { WorkflowHandleWithFirstExecutionRunId as WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, WorkflowBundle } from '@temporalio/worker';
import { CONTROLLER_WORKFLOW_TYPE, TASK_QUEUE } from '@smartscale/contracts';
import { createTimeSkippingEnv, REPO_ROOT } from '@smartscale/testing';
import { bundleControllerWorkflows } from '../../workflows/src/worker/workflow-bundle';
import { FakeWorld, target as defaultTarget } from './fake-world';

export interface ControllerRun {
  /** the target handed to the workflow; unknown, so a spec can hand it a malformed one */
  target?: unknown;
  maxTicksPerRun?: number;
}

/**
 * The controller workflow specs' setup: a time-skipping Temporal environment and the workflow bundle
 * (created in beforeAll, torn down in afterAll), and `withController`, which runs one controller
 * against a FakeWorld on a task queue of its own (a test that times out leaves no worker behind on the
 * next one's queue) and terminates it after the body if it still runs.
 */
export class ControllerHarness {
  env!: TestWorkflowEnvironment;
  bundle!: WorkflowBundle;
  private runs = 0;

  constructor(private readonly name: string) {
    beforeAll(async () => {
      [this.env, this.bundle] = await Promise.all([createTimeSkippingEnv(), bundleControllerWorkflows(REPO_ROOT)]);
    });
    afterAll(() => this.env?.teardown());
  }

  /** A worker of the controller bundle on `taskQueue`, with the world's activities. */
  worker(world: FakeWorld, taskQueue: string): Promise<Worker> {
    return Worker.create({ connection: this.env.nativeConnection, taskQueue, workflowBundle: this.bundle, activities: world.activities() });
  }

  async withController(world: FakeWorld, body: (h: WorkflowHandle) => Promise<void>, run: ControllerRun = {}): Promise<void> {
    const n = ++this.runs;
    const taskQueue = `${TASK_QUEUE}-${this.name}-${n}`;
    const worker = await this.worker(world, taskQueue);
    await worker.runUntil(async () => {
      const handle = await this.env.client.workflow.start(CONTROLLER_WORKFLOW_TYPE, {
        workflowId: `scaler/${this.name}-${n}-${Date.now()}`,
        taskQueue,
        args: [
          { target: run.target ?? defaultTarget, ...(run.maxTicksPerRun !== undefined ? { maxTicksPerRun: run.maxTicksPerRun } : {}) },
        ],
      });
      await body(handle);
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test done');
    });
  }
}
