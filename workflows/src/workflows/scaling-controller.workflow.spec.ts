import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, WorkflowBundle } from '@temporalio/worker';
import {
  CONTROLLER_WORKFLOW_TYPE, ControllerStatus, DEFAULT_POLICY, Decision, decisionsQuery, pauseSignal, resumeSignal, ScalingTarget, statusQuery, TASK_QUEUE,
} from '@smartscale/contracts';
import type { ForecastSummary } from '@smartscale/policy';
import { createTimeSkippingEnv, REPO_ROOT } from '@smartscale/testing';
import type { ControllerActivities, ObserveResult } from '../activities/controller-activity.types';
import { bundleControllerWorkflows } from '../worker/workflow-bundle';

jest.setTimeout(60_000);

const target: ScalingTarget = {
  id: 'checkout',
  service: 'checkout',
  scaler: { kind: 'local' },
  policy: { ...DEFAULT_POLICY, minReplicas: 1, maxReplicas: 6, capacityPerReplica: 10, headroom: 0, scaleUpMaxStep: 4, tickIntervalMs: 10_000, scaleUpCooldownMs: 30_000 },
};

/** A fake world for the workflow under test: a scaler that remembers what it was told, and a load knob. */
class FakeWorld {
  replicas = 1;
  load = 5;
  forecastFails = false;
  applied: { replicas: number; key: string }[] = [];
  recorded: Decision[] = [];

  constructor(private readonly env: TestWorkflowEnvironment) {}

  activities(): ControllerActivities {
    return {
      // Windows are stamped with the test server's skipped clock, which the workflow's Date.now() follows.
      observe: async (): Promise<ObserveResult> => {
        const windowEnd = await this.env.currentTimeMs();
        return { window: { eventsPerSecond: this.load, windowEnd, consumerLag: 0 }, currentReplicas: this.replicas };
      },
      forecast: async (): Promise<ForecastSummary> => {
        if (this.forecastFails) throw new Error('connect ECONNREFUSED 127.0.0.1:3002');
        return { peakEventsPerSecond: this.load, basedOnWindowEnd: await this.env.currentTimeMs(), anomalyScore: 0 };
      },
      apply: async (_t, replicas, key) => {
        this.applied.push({ replicas, key });
        this.replicas = replicas;
        return replicas;
      },
      record: async (_id, d) => {
        this.recorded.push(d);
      },
    };
  }

  /** Skips test-server time until the workflow has recorded more decisions. */
  async nextDecisions(n: number): Promise<Decision[]> {
    const want = this.recorded.length + n;
    while (this.recorded.length < want) await this.env.sleep(1_000);
    return this.recorded.slice(-n);
  }
}

describe('scalingControllerWorkflow', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundle;

  beforeAll(async () => {
    [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleControllerWorkflows(REPO_ROOT)]);
  });
  afterAll(() => env?.teardown());

  async function withController(world: FakeWorld, body: (h: Awaited<ReturnType<typeof start>>) => Promise<void>): Promise<void> {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: world.activities() });
    await worker.runUntil(async () => {
      const handle = await start();
      await body(handle);
      await handle.terminate('test done');
    });
  }
  const start = () => env.client.workflow.start(CONTROLLER_WORKFLOW_TYPE, { workflowId: `scaler/${target.id}-${Date.now()}`, taskQueue: TASK_QUEUE, args: [{ target }] });

  it('scales up on load above capacity with an idempotency key per decision, then holds through the cooldown', async () => {
    const world = new FakeWorld(env);
    await withController(world, async (handle) => {
      await world.nextDecisions(1);
      world.load = 45;
      const [up] = await world.nextDecisions(1);
      expect([up.action, up.from, up.to, up.applied]).toEqual(['up', 1, 5, true]);
      expect(world.applied).toEqual([{ replicas: 5, key: `${handle.workflowId}/${up.seq}` }]);
      const status: ControllerStatus = await handle.query(statusQuery);
      expect([status.currentReplicas, status.desiredReplicas]).toEqual([5, 5]);
      world.load = 80;
      const [next] = await world.nextDecisions(1);
      expect(next.at - up.at).toBeGreaterThanOrEqual(target.policy.scaleUpCooldownMs);
      expect([next.action, next.to]).toEqual(['up', 6]);
    });
  });

  it('falls back to the reactive rule when the forecast activity fails, and says why', async () => {
    const world = new FakeWorld(env);
    world.forecastFails = true;
    world.load = 25;
    await withController(world, async () => {
      const [d] = await world.nextDecisions(1);
      expect([d.action, d.to]).toEqual(['up', 3]);
      expect(d.reasons[0]).toMatchObject({ code: 'reactive-fallback' });
      expect(d.reasons[0].message).toContain('ECONNREFUSED');
    });
  });

  it('stops deciding while paused and resumes on the resume signal', async () => {
    const world = new FakeWorld(env);
    await withController(world, async (handle) => {
      await world.nextDecisions(1);
      await handle.signal(pauseSignal, { reason: 'maintenance' });
      world.load = 60;
      const before = world.recorded.length;
      await env.sleep(120_000);
      expect(world.recorded.length).toBe(before);
      expect(world.applied).toEqual([]);
      expect((await handle.query(statusQuery)).paused).toMatchObject({ reason: 'maintenance' });
      await handle.signal(resumeSignal);
      const [d] = await world.nextDecisions(1);
      expect(d.action).toBe('up');
      expect((await handle.query(decisionsQuery)).at(-1)?.seq).toBe(d.seq);
    });
  });
});
