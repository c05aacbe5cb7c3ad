import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';
import { startPadsEnv } from './helpers';
import { PAD_SCENARIOS, recordPadHistories } from './histories';

/**
 * Recorded histories of the pad session workflow (test/histories/pad-*.json) replay with the current
 * workflows/ code, and the replayer is shown to catch an incompatible change.
 */
jest.setTimeout(120_000);
const recording = process.env.GF_RECORD_HISTORIES === '1';
const files = () => historyFiles(REPLAYED_HISTORIES.pads);

describe('pad session workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startPadsEnv();
      try {
        expect(await recordPadHistories(env)).toHaveLength(Object.keys(PAD_SCENARIOS).length);
      } finally {
        await env.stop();
      }
    });
  }

  it('has a recorded history for every scenario, covering what it says', () => {
    expect(files()).toEqual(Object.keys(PAD_SCENARIOS).map((n) => `${n}.json`).sort());
    const events = (file: string) => loadHistory(file).events ?? [];
    const activities = (file: string) => events(file).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities('pad-ended-by-host.json')).toEqual(['padRecordStart', 'padAnnounce', 'padRecordEnd', 'padAnnounceEnded']);
    expect(events('pad-ended-by-host.json').some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(true);
    expect(activities('pad-max-duration.json')).toEqual(['padRecordStart', 'padAnnounce', 'padRemind', 'padRecordEnd', 'padAnnounceEnded']);
    expect(events('pad-max-duration.json').filter((e) => e.timerFiredEventAttributes)).toHaveLength(2);
  });

  it('every recorded history replays with the current workflows/ code', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    for (const file of files()) {
      await expect(Worker.runReplayHistory({ workflowBundle }, loadHistory(file), `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('an incompatible change (announced before recorded) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/pad-reordered'));
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('pad-ended-by-host.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
  });
});
