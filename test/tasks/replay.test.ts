import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { patchIds, scheduleToCloseSeconds } from '../helpers/stuck-flows';
import { bundleWorkflows } from '../helpers/temporal';
import { startTasksEnv } from './helpers';
import { recordTaskHistories, SCENARIOS } from './histories';

/**
 * Recorded histories of the task claim workflow (test/histories/task-*.json, written by histories.ts) must
 * replay with the current workflow code: a change that would break running claims (a proof waiting days for
 * review, an award inside its revoke window) fails here. The negative test proves the replayer catches one.
 */
const recording = process.env.GF_RECORD_HISTORIES === '1';
const OURS = REPLAYED_HISTORIES.tasks;

describe('task claim histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startTasksEnv();
      try {
        await env.startWorker();
        const files = await recordTaskHistories(env, process.env.GF_HISTORY_SUFFIX ?? '');
        expect(files).toHaveLength(Object.keys(SCENARIOS).length);
      } finally {
        await env.close();
      }
    }, 120_000);
  }

  it('has a recorded history for every scenario', () => {
    for (const name of Object.keys(SCENARIOS)) expect(historyFiles(OURS)).toContain(`${name}.json`);
  });

  it('every recorded history replays with the current workflows/task.ts', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows/task'));
    const files = historyFiles(OURS);
    expect(files.length).toBeGreaterThanOrEqual(Object.keys(SCENARIOS).length);
    for (const file of files) {
      const history = loadHistory(file);
      expect(history.events?.length).toBeGreaterThan(10);
      await expect(Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('the histories hold what they are named for (updates accepted, the award and reversal, the timer)', () => {
    const kinds = (file: string) => {
      const events = loadHistory(file).events ?? [];
      return {
        activities: events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []),
        updates: events.flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? []),
        signals: events.flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []),
        timers: events.filter((e) => e.timerStartedEventAttributes).length,
      };
    };
    expect(kinds('task-accepted.json')).toMatchObject({ updates: ['submitProof', 'decide'] });
    expect(kinds('task-accepted.json').activities).toEqual(expect.arrayContaining(['taskClaim', 'taskSubmitProof', 'taskPostReview', 'discordAddRole', 'ledgerTransfer', 'taskComplete']));
    expect(kinds('task-reject-resubmit-accept.json').updates).toEqual(['submitProof', 'decide', 'submitProof', 'decide']);
    expect(kinds('task-expired.json').activities).toContain('taskEndClaim');
    expect(kinds('task-expired.json').timers).toBeGreaterThanOrEqual(1);
    expect(kinds('task-award-failed.json').activities).toEqual(expect.arrayContaining(['ledgerTransfer', 'discordRemoveRole', 'taskRecordAwardFailure', 'taskRejectProof', 'taskEndClaim']));
    expect(kinds('task-revoked.json').activities).toEqual(expect.arrayContaining(['taskReverseAward', 'taskMarkRevoked']));
    expect(kinds('task-cancelled.json').signals).toEqual(['cancelClaim']);
    expect(kinds('task-message.json').signals).toEqual(['changed', 'changed']);
    expect(kinds('task-message.json').activities.filter((a) => a === 'taskSyncMessage').length).toBeGreaterThanOrEqual(3);
    expect(kinds('task-message-refused.json').activities).toEqual(['taskSyncMessage', 'discordPostAdminLog']);
  });

  it('since money-steps-never-give-up (the -v3 files), the slot and the reward run in persistent rounds; older histories replay the old path', () => {
    for (const file of historyFiles(OURS).filter((f) => f.startsWith('task-') && !f.startsWith('task-message'))) {
      expect([file, patchIds(loadHistory(file)).includes('money-steps-never-give-up')]).toEqual([file, file.endsWith('-v3.json')]);
    }
    const v3 = loadHistory('task-accepted-v3.json');
    for (const step of ['taskClaim', 'ledgerTransfer', 'taskComplete']) expect([step, scheduleToCloseSeconds(v3, step)]).toEqual([step, [300]]);
    expect(scheduleToCloseSeconds(loadHistory('task-revoked-v3.json'), 'taskReverseAward')).toEqual([300]);
    expect(scheduleToCloseSeconds(loadHistory('task-accepted-v2.json'), 'ledgerTransfer')).toEqual([0]);
  });

  it('an incompatible change (the post updated before the slot is taken) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/task-reordered'));
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('task-accepted.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
    // The history scheduled taskClaim where the changed code schedules taskSyncMessage.
    expect((err as Error).message).toMatch(/taskSyncMessage|taskClaim/);
  });
});
