import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, WorkflowHandle } from '@temporalio/client';
import { DEFAULT_POLICY, decisionsQuery, pauseSignal, ScalingTarget, setPolicyUpdate, statusQuery } from '@smartscale/contracts';
import { CONTROLLER_FAILURE } from '@smartscale/contracts/workflow';
import { REFUSED_RETRY_MS } from './controller-state';
import { ControllerHarness } from '../../../test/support/controller-harness';
import { FakeWorld, target } from '../../../test/support/fake-world';

jest.setTimeout(60_000);

/** Faults a controller must ride out (issue 18): nothing transient fails the workflow, and every bad input is refused. */
describe('scalingControllerWorkflow under faults and hostile input', () => {
  const harness = new ControllerHarness('faults');
  const withController = (world: FakeWorld, body: (h: WorkflowHandle) => Promise<void>, t?: unknown) =>
    harness.withController(world, body, { target: t });

  const running = async (h: WorkflowHandle) => (await h.describe()).status.name === 'RUNNING';

  it('runs a target given without a policy as the schema completes it (defaults), not with an undefined policy', async () => {
    const world = new FakeWorld(harness.env);
    await withController(
      world,
      async (handle) => {
        await world.nextDecisions(2);
        expect((await handle.query(statusQuery)).policy).toEqual(DEFAULT_POLICY);
      },
      { id: 'bare', service: 'bare', scaler: { kind: 'local' } },
    );
  });

  it.each<[string, unknown]>([
    ['a local target asking for a thousand processes', { ...target, policy: { ...target.policy, minReplicas: 1000, maxReplicas: 1000 } }],
    ['a file:// webhook', { ...target, scaler: { kind: 'webhook', url: 'file:///etc/passwd' } }],
    [
      'an absurd maxReplicas',
      { ...target, scaler: { kind: 'webhook', url: 'http://127.0.0.1:9/x' }, policy: { ...target.policy, maxReplicas: 1e9 } },
    ],
    ['a tick every millisecond', { ...target, policy: { ...target.policy, tickIntervalMs: 1 } }],
    ['a policy field of the wrong type', { ...target, policy: { ...target.policy, tolerance: 'wide' } }],
    ['no scaler at all', { id: 'x', service: 'x', policy: target.policy }],
  ])('refuses %s started directly in Temporal: never acts, records why, fails non-retryably', async (_what, bad) => {
    const world = new FakeWorld(harness.env);
    world.load = 1e6;
    await withController(
      world,
      async (handle) => {
        const err = await handle.result().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WorkflowFailedError);
        const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
        expect(cause.type).toBe(CONTROLLER_FAILURE.invalidTarget);
        expect(cause.message).toMatch(/^invalid target, refused: /);
        expect(world.applyCalls).toBe(0);
        expect(world.recorded.map((d) => [d.action, d.applied, d.reasons[0].code])).toEqual([['hold', false, 'invalid-target']]);
        expect(world.recorded[0].reasons[0].message).toBe(cause.message);
      },
      bad,
    );
  });

  it('refuses a policy update past the worker caps (local maxReplicas) that the sync validator cannot know', async () => {
    const world = new FakeWorld(harness.env);
    await withController(world, async (handle) => {
      await world.nextDecisions(1);
      const refused = await handle.executeUpdate(setPolicyUpdate, { args: [{ ...target.policy, maxReplicas: 500 }] }).then(
        () => null,
        (e: { cause?: Error }) => e.cause,
      );
      expect(refused?.message).toMatch(/maxReplicas must be at most 8/);
      expect((await handle.query(statusQuery)).policy.maxReplicas).toBe(target.policy.maxReplicas);
      expect(await running(handle)).toBe(true);
    });
  });

  it('holds with the reason while observe fails, backs off, keeps running, and decides again once it recovers', async () => {
    const world = new FakeWorld(harness.env);
    world.observeFails = new Error('group lag: broker 127.0.0.1:9092 unreachable');
    await withController(world, async (handle) => {
      const holds = await world.nextDecisions(4);
      expect(holds.every((d) => d.action === 'hold' && d.reasons[0].code === 'observe-failed')).toBe(true);
      expect(holds[0].reasons[0].message).toContain('broker 127.0.0.1:9092 unreachable');
      // backed off: gaps double from the tick interval
      const gaps = holds.slice(1).map((d, i) => d.at - holds[i].at);
      expect(gaps[2]).toBeGreaterThan(gaps[0]);
      expect(await running(handle)).toBe(true);
      world.observeFails = null;
      world.load = 45;
      const [up] = await world.nextDecisions(1);
      expect([up.action, up.applied]).toEqual(['up', true]);
    });
  });

  it('keeps decisions whose record failed (history or broker down) and records them late, in order', async () => {
    const world = new FakeWorld(harness.env);
    await withController(world, async (handle) => {
      await world.nextDecisions(1);
      world.recordFails = new Error('connect ECONNREFUSED 127.0.0.1:5432');
      const seqBefore = (await handle.query(statusQuery)).seq;
      while ((await handle.query(statusQuery)).seq < seqBefore + 3) await harness.env.sleep(5_000);
      expect(await running(handle)).toBe(true);
      world.recordFails = null;
      await world.nextDecisions(4);
      const seqs = world.recorded.map((d) => d.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
      expect(world.recorded.find((d) => d.seq === seqBefore + 1)?.reasons.at(-1)?.code).toBe('record-delayed');
    });
  });

  it('retries a scaler answering 429 with backoff, records holds with the reason, then applies when it recovers', async () => {
    const world = new FakeWorld(harness.env);
    world.load = 45;
    world.applyFails = new Error('webhook http://127.0.0.1:9/scale failed: HTTP 429 (retried)');
    await withController(world, async (handle) => {
      const [first, second] = await world.nextDecisions(2);
      expect([first.action, first.from, first.to, first.applied]).toEqual(['hold', 1, 1, false]);
      expect(first.reasons[0]).toMatchObject({ code: 'scaler-unavailable' });
      expect(first.reasons[0].message).toMatch(/wanted 1→5.*HTTP 429/);
      expect(['scaler-unavailable', 'scaler-backoff']).toContain(second.reasons[0].code);
      expect(world.applyCalls).toBeGreaterThanOrEqual(4); // the activity's own retries inside one tick
      expect(await running(handle)).toBe(true);
      world.applyFails = null;
      while (world.applied.length === 0) await harness.env.sleep(5_000);
      expect(world.applied[0].replicas).toBe(5);
      expect((await handle.query(statusQuery)).currentReplicas).toBe(5);
    });
  });

  it('records a 403 from the scaler and asks again only after the slow retry interval, never failing', async () => {
    const world = new FakeWorld(harness.env);
    world.load = 45;
    world.applyFails = ApplicationFailure.nonRetryable('PATCH deployments/web/scale: HTTP 403 Forbidden', CONTROLLER_FAILURE.scalerRefused);
    await withController(world, async (handle) => {
      const [refused] = await world.nextDecisions(1);
      expect(refused.reasons[0]).toMatchObject({ code: 'scaler-refused' });
      expect(world.applyCalls).toBe(1);
      await harness.env.sleep(REFUSED_RETRY_MS / 2);
      expect(world.applyCalls).toBe(1);
      const later = (await handle.query(decisionsQuery)).at(-1)!;
      expect(later.reasons[0].code).toBe('scaler-backoff');
      world.applyFails = null;
      await harness.env.sleep(REFUSED_RETRY_MS);
      while (world.applied.length === 0) await harness.env.sleep(5_000);
      expect(world.applied[0].replicas).toBe(5);
      expect(await running(handle)).toBe(true);
    });
  });

  it('cancels an apply that is still retrying when a pause arrives', async () => {
    const world = new FakeWorld(harness.env);
    world.load = 45;
    const slow: ScalingTarget = { ...target, policy: { ...DEFAULT_POLICY, ...target.policy } };
    world.applyFails = new Error('webhook failed: HTTP 503 (retried)');
    await withController(
      world,
      async (handle) => {
        while (world.applyCalls === 0) await harness.env.sleep(200);
        await handle.signal(pauseSignal, { reason: 'incident' });
        const [d] = await world.nextDecisions(1);
        expect(d.applied).toBe(false);
        expect(d.reasons.at(-1)).toMatchObject({ code: 'paused' });
        expect(d.reasons.at(-1)?.message).toMatch(/cancelled/);
        const calls = world.applyCalls;
        world.applyFails = null;
        await harness.env.sleep(120_000);
        expect(world.applyCalls).toBe(calls);
        expect(world.applied).toEqual([]);
      },
      slow,
    );
  });
});
