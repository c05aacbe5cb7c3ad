import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';
import { startVerifyEnv } from '../verify/helpers';
import { boundRole } from './helpers';
import { recordMemberRolesHistories, SCENARIOS } from './histories';

/**
 * Recorded histories of the `memberRoles` workflow (test/histories/member-roles-*.json) must replay with
 * the current workflow code; the negative test proves the replayer catches a reordering.
 */
const recording = process.env.GF_RECORD_HISTORIES === '1';

describe('member roles workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startVerifyEnv({ bot: false });
      try {
        await boundRole(env, 'History Rank 5+', 31337, 5, 255);
        const files = await recordMemberRolesHistories(env);
        expect(files).toHaveLength(Object.keys(SCENARIOS).length);
      } finally {
        await env.close();
      }
    }, 90_000);
  }

  it('has a recorded history for every scenario, and replays each with the current workflows/ code', async () => {
    const files = historyFiles(REPLAYED_HISTORIES['verify-binds']);
    expect(files).toEqual(Object.keys(SCENARIOS).map((name) => `${name}.json`).sort());
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    for (const file of files) await expect(Worker.runReplayHistory({ workflowBundle }, loadHistory(file), `replay-${file}`)).resolves.toBeUndefined();
  });

  it('the histories hold what they claim', () => {
    const activities = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities('member-roles-applied.json')).toEqual(['verifyApplyMemberRoles']);
    expect(activities('member-roles-failed.json')).toEqual(['verifyApplyMemberRoles', 'verifyNotifyAdmins']);
  });

  it('an incompatible change (the admins told before the roles) is caught by the replayer', async () => {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows/member-roles-reordered'), logger: new DefaultLogger('WARN') });
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('member-roles-failed.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
  });
});
