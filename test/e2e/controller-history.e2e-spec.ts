import { Worker } from '@temporalio/worker';
import { REPO_ROOT } from '@smartscale/testing';
import { bundleControllerWorkflows } from '../../workflows/src/worker/workflow-bundle';
import { loadWorkerConfig } from '../../workflows/src/config/worker.config';
import { recordControllerRun, RECORDED_HISTORY, summarizeHistory, writeRecordedHistory } from '../support/record-history';

// The replay history's recorder, run for real on the Temporal dev server: the scripted controller gets
// where it should and its history replays with the same code. With SMARTSCALE_RECORD_HISTORY=1 the history
// replaces the committed one (test/support/record-history.ts says when to do that).
jest.setTimeout(120_000);

describe('recordControllerRun', () => {
  it('records a controller scaling up, paused, resumed, updated and overridden, and its history replays', async () => {
    const workflowBundle = await bundleControllerWorkflows(REPO_ROOT);
    const { workflowId, history, world } = await recordControllerRun(loadWorkerConfig(process.env).temporal.address, workflowBundle);
    const summary = summarizeHistory(history);
    expect(summary.signals).toEqual(['pause', 'resume', 'override']);
    expect(summary.updates).toEqual(['setPolicy']);
    expect(summary.applied).toEqual(world.applied.map((a) => a.replicas));
    expect(summary.applied.slice(0, 2)).toEqual([5, 3]);
    expect(summary.patches).toBe(0);
    expect(summary.closedBy).toBe('terminated');
    await Worker.runReplayHistory({ workflowBundle }, history, workflowId);
    if (process.env.SMARTSCALE_RECORD_HISTORY === '1') writeRecordedHistory(history, RECORDED_HISTORY);
  });
});
