import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import {
  CONTROLLER_WORKFLOW_TYPE,
  ControllerStatus,
  decisionsQuery,
  overrideSignal,
  pauseSignal,
  resumeSignal,
  SA,
  ScalingTarget,
  setPolicyUpdate,
  statusQuery,
  TASK_QUEUE,
} from '@smartscale/contracts';
import { ControllerHarness } from '../../../test/support/controller-harness';
import { FakeWorld, target } from '../../../test/support/fake-world';
import { RECORDED_HISTORY, summarizeHistory } from '../../../test/support/record-history';

jest.setTimeout(60_000);

// The declared baseline: one history recorded from a real run on the dev server by
// test/support/record-history.ts (which says how to record it again). Replaying it with today's code
// catches a change that would break running controllers.

describe('scalingControllerWorkflow', () => {
  const harness = new ControllerHarness('controller');
  const withController = harness.withController.bind(harness);

  it('scales up on load above capacity with an idempotency key per decision, then holds through the cooldown', async () => {
    const world = new FakeWorld(harness.env);
    await withController(world, async (handle) => {
      await world.nextDecisions(1);
      world.load = 45;
      const [up] = await world.nextDecisions(1);
      expect([up.action, up.from, up.to, up.applied]).toEqual(['up', 1, 5, true]);
      expect(world.applied).toEqual([{ replicas: 5, key: `${handle.workflowId}/${handle.firstExecutionRunId}/${up.seq}` }]);
      const status: ControllerStatus = await handle.query(statusQuery);
      expect([status.currentReplicas, status.desiredReplicas]).toEqual([5, 5]);
      world.load = 80;
      const [next] = await world.nextDecisions(1);
      expect(next.at - up.at).toBeGreaterThanOrEqual(target.policy.scaleUpCooldownMs);
      expect([next.action, next.to]).toEqual(['up', 6]);
    });
  });

  it('started again under the same id (terminate, then start), never reuses an old idempotency key', async () => {
    const world = new FakeWorld(harness.env);
    const workflowId = `scaler/${target.id}-again-${Date.now()}`;
    const worker = await harness.worker(world, TASK_QUEUE);
    await worker.runUntil(async () => {
      for (const load of [45, 45]) {
        world.replicas = 1;
        world.load = load;
        const handle = await harness.env.client.workflow.start(CONTROLLER_WORKFLOW_TYPE, {
          workflowId,
          taskQueue: TASK_QUEUE,
          args: [{ target }],
        });
        const before = world.applied.length;
        while (world.applied.length === before) await harness.env.sleep(1_000);
        await handle.terminate('started again below');
      }
    });
    // both runs applied at the same seq, under different keys
    const [first, second] = world.applied.map((a) => a.key);
    expect(first.split('/').pop()).toBe(second.split('/').pop());
    expect(first).not.toBe(second);
  });

  it('in recommend mode decides and records with reasons but never calls the scaler', async () => {
    const world = new FakeWorld(harness.env);
    world.load = 45;
    const recommend = { ...target, policy: { ...target.policy, mode: 'recommend' as const } };
    await withController(
      world,
      async () => {
        const decisions = await world.nextDecisions(3);
        expect(decisions.every((d) => d.action === 'up' && d.to === 5 && !d.applied)).toBe(true);
        expect(decisions[0].reasons.at(-1)?.code).toBe('recommend-only');
        expect(world.applied).toEqual([]);
      },
      { target: recommend },
    );
  });

  it('with a shadow scaler, records what the cluster had next to the recommendation and refuses enforce', async () => {
    const world = new FakeWorld(harness.env);
    world.load = 45;
    world.replicas = 2; // set by the cluster's own autoscaler
    const observed: ScalingTarget = {
      ...target,
      scaler: { kind: 'shadow', source: { kind: 'kubernetes', namespace: 'shop', resource: 'deployment', name: 'web' } },
      policy: { ...target.policy, mode: 'recommend' },
    };
    await withController(
      world,
      async (handle) => {
        const [d] = await world.nextDecisions(1);
        expect([d.from, d.to, d.applied]).toEqual([2, 5, false]);
        const refused = await handle.executeUpdate(setPolicyUpdate, { args: [{ ...observed.policy, mode: 'enforce' }] }).then(
          () => null,
          (e: { cause?: Error }) => e.cause,
        );
        expect(refused?.message).toMatch(/a "shadow" scaler never changes replicas/);
        await world.nextDecisions(2);
        expect(world.applied).toEqual([]);
      },
      { target: observed },
    );
  });

  it('scales an idle target to zero and wakes it when events wait in its group', async () => {
    const world = new FakeWorld(harness.env);
    world.load = 0;
    const elastic = {
      ...target,
      policy: { ...target.policy, minReplicas: 0, scaleDownCooldownMs: 0, scaleDownStabilizationMs: 0, activationLag: 10 },
    };
    await withController(
      world,
      async () => {
        const [down] = await world.nextDecisions(1);
        expect([down.action, down.to]).toEqual(['down', 0]);
        world.pending = 9;
        const [idle] = await world.nextDecisions(1);
        expect([idle.action, idle.reasons[0].code]).toEqual(['hold', 'idle-at-zero']);
        world.pending = 10;
        const [wake] = await world.nextDecisions(1);
        expect([wake.action, wake.to, wake.applied, wake.reasons[0].code]).toEqual(['up', 1, true, 'activation']);
      },
      { target: elastic },
    );
  });

  it('falls back to the reactive rule when the forecast activity fails, and says why', async () => {
    const world = new FakeWorld(harness.env);
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
    const world = new FakeWorld(harness.env);
    await withController(world, async (handle) => {
      await world.nextDecisions(1);
      await handle.signal(pauseSignal, { reason: 'maintenance' });
      world.load = 60;
      const before = world.recorded.length;
      await harness.env.sleep(120_000);
      expect(world.recorded.length).toBe(before);
      expect(world.applied).toEqual([]);
      expect((await handle.query(statusQuery)).paused).toMatchObject({ reason: 'maintenance' });
      await handle.signal(resumeSignal);
      const [d] = await world.nextDecisions(1);
      expect(d.action).toBe('up');
      expect((await handle.query(decisionsQuery)).at(-1)?.seq).toBe(d.seq);
    });
  });

  it('resumes by itself when a pause with a duration expires', async () => {
    const world = new FakeWorld(harness.env);
    await withController(world, async (handle) => {
      await world.nextDecisions(1);
      await handle.signal(pauseSignal, { reason: 'deploy', forMs: 30_000 });
      const before = world.recorded.length;
      await harness.env.sleep(20_000);
      expect(world.recorded.length).toBe(before);
      await harness.env.sleep(15_000);
      await world.nextDecisions(1);
      expect((await handle.query(statusQuery)).paused).toBeNull();
    });
  });

  it('applies an override at once and returns to decide() when its durable timer expires', async () => {
    const world = new FakeWorld(harness.env);
    await withController(world, async (handle) => {
      await world.nextDecisions(1);
      await handle.signal(overrideSignal, { replicas: 4, ttlMs: 60_000, reason: 'launch' });
      const [o] = await world.nextDecisions(1);
      expect([o.action, o.to, o.applied, o.reasons[0].code]).toEqual(['up', 4, true, 'override']);
      expect((await handle.query(statusQuery)).override).toMatchObject({ replicas: 4, reason: 'launch' });
      await harness.env.sleep(61_000);
      const decisions = await world.nextDecisions(1);
      expect(decisions[0].reasons[0].code).not.toBe('override');
      expect((await handle.query(statusQuery)).override).toBeNull();
      expect(world.recorded.filter((d) => d.reasons[0]?.code === 'override').every((d) => d.at - o.at < 60_000)).toBe(true);
    });
  });

  it('rejects an invalid policy update in its validator and applies a valid one to the next decision', async () => {
    const world = new FakeWorld(harness.env);
    world.load = 45;
    await withController(world, async (handle) => {
      await world.nextDecisions(1);
      const rejected = await handle.executeUpdate(setPolicyUpdate, { args: [{ ...target.policy, minReplicas: 9, maxReplicas: 2 }] }).then(
        () => null,
        (e: { cause?: Error }) => e.cause,
      );
      expect(rejected?.message).toMatch(/minReplicas must not exceed maxReplicas/);
      const accepted = await handle.executeUpdate(setPolicyUpdate, {
        args: [{ ...target.policy, maxReplicas: 2, scaleUpCooldownMs: 0, scaleDownCooldownMs: 0 }],
      });
      expect(accepted.maxReplicas).toBe(2);
      await harness.env.sleep(40_000);
      const [d] = await world.nextDecisions(1);
      expect(d.to).toBeLessThanOrEqual(2);
      expect((await handle.query(statusQuery)).policy.maxReplicas).toBe(2);
    });
  });

  it('upserts search attributes only when one changes, so a steady target adds no visibility writes', async () => {
    const world = new FakeWorld(harness.env);
    await withController(world, async (handle) => {
      await world.nextDecisions(8); // load 5 on one replica of 10: every tick holds
      const events = (await handle.fetchHistory()).events ?? [];
      // Only the controller's own attributes count (a versioning marker would upsert TemporalChangeVersion).
      const ours = (e: (typeof events)[number]) =>
        Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}).some((k) =>
          k.startsWith('SmartScale'),
        );
      const upserts = events.filter(ours);
      expect(world.recorded.every((d) => d.action === 'hold')).toBe(true);
      // The first tick publishes the target's state; later holds change nothing (the last action stays 'hold').
      expect(upserts.length).toBeLessThanOrEqual(2);
      world.load = 25;
      await world.nextDecisions(2);
      const after = ((await handle.fetchHistory()).events ?? []).filter(ours);
      expect(after.length).toBeGreaterThan(upserts.length);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(SA.currentReplicas)).toBe(world.replicas);
    });
  });

  it('continues as new, carrying its decision sequence and history into the next run', async () => {
    const world = new FakeWorld(harness.env);
    await withController(
      world,
      async (handle) => {
        await world.nextDecisions(5);
        const first = (await handle.describe()).runId;
        expect(first).not.toBe(handle.firstExecutionRunId);
        const status = await harness.env.client.workflow.getHandle(handle.workflowId).query(statusQuery);
        expect(status.seq).toBeGreaterThanOrEqual(4);
        const seqs = (await harness.env.client.workflow.getHandle(handle.workflowId).query(decisionsQuery)).map((d) => d.seq);
        expect(seqs.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
      },
      { maxTicksPerRun: 2 },
    );
  });

  it('replays its own history (ticks, an override and its apply) without non-determinism, as a restarted worker does', async () => {
    const world = new FakeWorld(harness.env);
    let history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> | undefined;
    let workflowId = '';
    await withController(world, async (handle) => {
      await world.nextDecisions(2);
      await handle.signal(overrideSignal, { replicas: 4, ttlMs: 60_000, reason: 'replay' });
      await world.nextDecisions(2);
      workflowId = handle.workflowId;
      history = await handle.fetchHistory();
    });
    const result = await Worker.runReplayHistory({ workflowBundle: harness.bundle }, history!, workflowId).then(
      () => null,
      (e: unknown) => e,
    );
    expect(result).toBeNull();
  });

  it('replays every recorded history without non-determinism', async () => {
    const files = readdirSync(dirname(RECORDED_HISTORY)).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(['controller-baseline.json']);
    const histories = [{ workflowId: 'controller-baseline', history: JSON.parse(readFileSync(RECORDED_HISTORY, 'utf8')) }];
    for await (const result of Worker.runReplayHistories({ workflowBundle: harness.bundle }, histories)) {
      expect(result.error).toBeUndefined();
    }
  });

  it('has a recorded history that holds a scale-up, a pause, a resume, a policy update and an override, with no patch', () => {
    const summary = summarizeHistory(historyFromJSON(JSON.parse(readFileSync(RECORDED_HISTORY, 'utf8'))));
    expect(summary.signals).toEqual(['pause', 'resume', 'override']);
    expect(summary.updates).toEqual(['setPolicy']);
    // apply is the only regular activity: up 1 → 5, the override's 5 → 3, back to decide()'s 5.
    expect(summary.activities).toEqual(['apply', 'apply', 'apply']);
    expect(summary.applied).toEqual([5, 3, 5]);
    // The reads and records run as local activities; the target is checked by the worker at start and on update.
    expect(new Set(summary.localActivities)).toEqual(new Set(['validateTarget', 'observe', 'forecast', 'record']));
    expect(summary.localActivities.filter((t) => t === 'validateTarget')).toHaveLength(2);
    expect(summary.patches).toBe(0);
  });
});
