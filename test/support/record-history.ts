import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import { NativeConnection, Worker, WorkflowBundle } from '@temporalio/worker';
import {
  CONTROLLER_WORKFLOW_TYPE,
  overrideSignal,
  pauseSignal,
  resumeSignal,
  ScalingTarget,
  setPolicyUpdate,
  workflowIdFor,
} from '@smartscale/contracts';
import { quietRuntime, REPO_ROOT } from '@smartscale/testing';
import { bundleControllerWorkflows } from '../../workflows/src/worker/workflow-bundle';
import { FakeWorld, target as fakeTarget, WALL_CLOCK } from './fake-world';

/**
 * The controller's one replay history: the declared baseline (docs/conventions.md §18). The workflow spec
 * replays it with today's code, so a change that would break a running controller fails there.
 *
 * It is recorded from the code as it is, for real, on the Temporal dev server (127.0.0.1:7233, started by
 * `npm run infra:up`), by recordControllerRun() below: one controller on its own task queue
 * with the fake world's activities, a few ticks with a scale-up, a pause, a resume, a policy update and an
 * override that expires. test/e2e/controller-history.e2e-spec.ts runs it on every integration run
 * (checking its events and replaying it) and writes it here when asked. After a deliberate workflow
 * change that breaks the replay, record it again and commit the new file:
 *
 *   SMARTSCALE_RECORD_HISTORY=1 NODE_OPTIONS='--experimental-vm-modules --disable-warning=ExperimentalWarning' \
 *     npx jest --selectProjects integration --runInBand test/e2e/controller-history.e2e-spec.ts
 */
export const RECORDED_HISTORY = join(REPO_ROOT, 'workflows/src/workflows/histories/controller-baseline.json');

export interface RecordedRun {
  workflowId: string;
  history: History;
  world: FakeWorld;
}

/** One tick a second and a 2 s cooldown, so that the whole run takes about 20 s of wall time. */
export const recordedTarget = (run: string): ScalingTarget => ({
  ...fakeTarget,
  id: `history-${run}`,
  service: `history-${run}`,
  policy: { ...fakeTarget.policy, tickIntervalMs: 1_000, scaleUpCooldownMs: 2_000 },
});

/** The scripted run, ended by a terminate; its history is what the replay test reads. */
export async function recordControllerRun(address: string, bundle?: WorkflowBundle): Promise<RecordedRun> {
  quietRuntime();
  const run = Date.now().toString(36);
  const target = recordedTarget(run);
  const world = new FakeWorld(WALL_CLOCK);
  const taskQueue = `smartscale-controller-history-${run}`;
  const [connection, clientConnection] = await Promise.all([NativeConnection.connect({ address }), Connection.connect({ address })]);
  const client = new Client({ connection: clientConnection });
  try {
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: bundle ?? (await bundleControllerWorkflows(REPO_ROOT)),
      activities: world.activities(),
    });
    const handle = await worker.runUntil(async () => {
      const h = await client.workflow.start(CONTROLLER_WORKFLOW_TYPE, {
        workflowId: workflowIdFor(target.id),
        taskQueue,
        args: [{ target }],
        workflowExecutionTimeout: '5m',
      });
      await world.nextDecisions(1); // load 5 on one replica of 10 a second: hold
      world.load = 45;
      await until(world, () => world.applied.length === 1); // up 1 → 5
      await h.signal(pauseSignal, { reason: 'recording a history' });
      await WALL_CLOCK.sleep(2_500); // ticks stop while paused
      await h.signal(resumeSignal);
      await world.nextDecisions(1);
      await h.executeUpdate(setPolicyUpdate, { args: [{ ...target.policy, headroom: 0.1 }] });
      await h.signal(overrideSignal, { replicas: 3, ttlMs: 3_000, reason: 'recording a history' });
      await until(world, () => world.applied.at(-1)?.replicas === 3); // the override: down 5 → 3
      await until(world, () => world.recorded.at(-1)?.reasons[0]?.code !== 'override'); // expired: decide() again
      await world.nextDecisions(1);
      await h.terminate('history recorded');
      return h;
    });
    return { workflowId: handle.workflowId, history: await handle.fetchHistory(), world };
  } finally {
    await Promise.all([connection.close(), clientConnection.close()]);
  }
}

async function until(world: FakeWorld, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the recorded controller did not get there within 60 s');
    await world.nextDecisions(1);
  }
}

/** Writes the history as Temporal's tools write JSON histories (`temporal workflow show -o json`). */
export function writeRecordedHistory(history: History, path = RECORDED_HISTORY): void {
  writeFileSync(path, `${historyToJSON(history)}\n`);
}

/** What a history holds, for the replay test's checks: messages received, activities run, patches asked. */
export interface HistorySummary {
  signals: string[];
  updates: string[];
  /** Regular activities scheduled, by type. */
  activities: string[];
  /** Local activities run, by type (one marker each). */
  localActivities: string[];
  /** The replica counts apply was asked for, in order. */
  applied: number[];
  /** Patch markers: none since the baseline. */
  patches: number;
  closedBy: string | null;
}

export function summarizeHistory(history: History): HistorySummary {
  const summary: HistorySummary = {
    signals: [],
    updates: [],
    activities: [],
    localActivities: [],
    applied: [],
    patches: 0,
    closedBy: null,
  };
  for (const e of history.events ?? []) {
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName) summary.signals.push(signal.signalName);
    const update = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
    if (update) summary.updates.push(update);
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name) {
      summary.activities.push(scheduled.activityType.name);
      if (scheduled.activityType.name === 'apply')
        summary.applied.push(defaultPayloadConverter.fromPayload<number>(scheduled.input!.payloads![1]));
    }
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_patch') summary.patches += 1;
    if (marker?.markerName === 'core_local_activity') {
      const data = defaultPayloadConverter.fromPayload<{ activity_type?: string }>(marker.details!.data!.payloads![0]);
      summary.localActivities.push(data.activity_type ?? '?');
    }
    if (e.workflowExecutionTerminatedEventAttributes) summary.closedBy = 'terminated';
  }
  return summary;
}
