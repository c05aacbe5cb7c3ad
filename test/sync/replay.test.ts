import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';
import { startShopEnv } from '../shop/helpers';
import { recordSyncHistories, SYNC_SCENARIOS } from './histories';

/**
 * Recorded histories of the message sync and announcement flows (test/histories/sync-*.json) replay with
 * the current workflows/ code — these flows live for months, so a change that breaks them fails here —
 * and the replayer is shown to catch an incompatible change.
 */
jest.setTimeout(120_000);
const recording = process.env.GF_RECORD_HISTORIES === '1';
const files = () => historyFiles(REPLAYED_HISTORIES.sync);

describe('sync and announcement workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startShopEnv();
      try {
        await env.startWorker();
        expect(await recordSyncHistories(env)).toHaveLength(Object.keys(SYNC_SCENARIOS).length);
      } finally {
        await env.close();
      }
    });
  }

  it('has a recorded history for every scenario, covering what it says', () => {
    expect(files()).toEqual(Object.keys(SYNC_SCENARIOS).map((n) => `${n}.json`).sort());
    const activities = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities('sync-lifecycle.json').filter((a) => a === 'syncApply').length).toBeGreaterThanOrEqual(5); // post, 2 failures, edit, re-post
    expect(activities('sync-lifecycle.json')).toContain('syncDelete');
    expect((loadHistory('sync-continue-as-new.json').events ?? []).some((e) => e.workflowExecutionContinuedAsNewEventAttributes)).toBe(true);
    expect(activities('sync-announcement-scheduled.json')).toEqual(['announcementSend']);
  });

  it('every recorded history replays with the current workflows/ code', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    for (const file of files()) {
      await expect(Worker.runReplayHistory({ workflowBundle }, loadHistory(file), `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('an incompatible change (no coalescing timer) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/sync-no-coalesce'));
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('sync-lifecycle.json'), 'replay-no-coalesce').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
  });
});
