import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';
import { startVerifyEnv } from './helpers';
import { recordVerifyHistories, SCENARIOS } from './histories';

/**
 * Recorded histories of the verification workflows (test/histories/verify-*.json, unverify-*.json) must
 * replay with the current workflow code; the negative test proves the replayer catches a reordering.
 */
const recording = process.env.GF_RECORD_HISTORIES === '1';

describe('verification workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startVerifyEnv({ bot: false });
      try {
        await env.settings({ expirySeconds: 120, checksPerMinute: 10 });
        const files = await recordVerifyHistories(env);
        expect(files).toHaveLength(Object.keys(SCENARIOS).length);
      } finally {
        await env.close();
      }
    }, 60_000);
  }

  it('has a recorded history for every scenario', () => {
    for (const name of Object.keys(SCENARIOS)) expect(historyFiles(REPLAYED_HISTORIES.verify)).toContain(`${name}.json`);
  });

  it('every recorded history replays with the current workflows/ code', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    const files = historyFiles(REPLAYED_HISTORIES.verify);
    expect(files).toHaveLength(Object.keys(SCENARIOS).length);
    for (const file of files) {
      const history = loadHistory(file);
      expect(history.events?.length).toBeGreaterThan(10);
      await expect(Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('the histories hold what they claim: updates, the expiry timer, the compensations', () => {
    const activities = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    const updates = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? []);
    expect(updates('verify-wrong-then-right.json')).toEqual(['show', 'check', 'check']);
    expect(activities('verify-wrong-then-right.json')).toEqual(
      expect.arrayContaining(['robloxReadProfile', 'verifySaveLink', 'discordAddRole', 'discordRemoveRole', 'discordSetNickname', 'verifyRecordNickname', 'verifyEnd']),
    );
    expect(activities('verify-rollback.json')).toEqual(expect.arrayContaining(['discordSetNickname', 'verifyUndoLink', 'verifyNotifyAdmins']));
    expect((loadHistory('verify-expired.json').events ?? []).some((e) => e.timerFiredEventAttributes)).toBe(true);
    expect(activities('verify-expired.json')).toContain('verifyNotifyMember');
    expect(activities('unverify-removed.json')).toEqual(['verifyGetLink', 'verifyLoadSettings', 'discordGetMember', 'discordRemoveRole', 'discordAddRole', 'discordSetNickname', 'verifyDeleteLink']);
    // An outside system away past its retries: the flow's own `failed` / a reported problem, and a completed workflow.
    const completed = (file: string) => (loadHistory(file).events ?? []).some((e) => e.workflowExecutionCompletedEventAttributes);
    expect(activities('verify-roblox-down.json')).toEqual(['verifyLoadSettings', 'verifyBegin', 'robloxLookup', 'verifyEnd']);
    expect(activities('unverify-discord-down.json')).toEqual(['verifyGetLink', 'verifyLoadSettings', 'discordGetMember', 'verifyDeleteLink', 'verifyNotifyAdmins']);
    for (const file of ['verify-roblox-down.json', 'unverify-discord-down.json']) expect(completed(file)).toBe(true);
  });

  it('an incompatible change (settings read after the lookup) is caught by the replayer', async () => {
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('./workflows/verify-reordered'),
      logger: new DefaultLogger('WARN'),
    });
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('verify-wrong-then-right.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
    expect((err as Error).message).toMatch(/robloxLookup|verifyLoadSettings/);
  });
});
