import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';

/**
 * The replayer catches a card trade workflow changed without patched(): every recorded card trade history
 * (test/histories/card-trade-*.json) fails to replay with the changed code, while the current code
 * replays them (test/card-trades/replay.test.ts) — so that test can fail.
 */
describe('card trade histories against a changed workflow', () => {
  it('a new first step without patched() is caught: DeterminismViolationError for every recorded history', async () => {
    const files = historyFiles(REPLAYED_HISTORIES['card-trades']);
    expect(files).toEqual(expect.arrayContaining(['card-trade-completed.json', 'card-trade-cash-completed.json']));
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/card-trade-check-first'));
    for (const file of files) {
      const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory(file), `replay-changed-${file}`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeterminismViolationError);
    }
  }, 240_000);
});
