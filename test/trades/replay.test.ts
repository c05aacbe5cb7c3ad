import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles as files, loadHistory as load, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';
import { startTradeEnv } from './helpers';
import { recordTradeHistories, SCENARIOS } from './histories';

/**
 * Recorded histories of the deposit and withdraw workflows (test/histories/deposit-*, withdraw-*) must
 * replay with the current workflows/ code; the negative test proves the replayer catches a reordering.
 */
const recording = process.env.GF_RECORD_HISTORIES === '1';
const historyFiles = () => files(REPLAYED_HISTORIES.trades);

describe('deposit and withdraw workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startTradeEnv();
      try {
        await env.startWorker();
        expect(await recordTradeHistories(env)).toHaveLength(Object.keys(SCENARIOS).length);
      } finally {
        await env.close();
      }
    }, 120_000);
  }

  it('has a recorded history for every scenario', () => {
    for (const name of Object.keys(SCENARIOS)) expect(historyFiles()).toContain(`${name}.json`);
  });

  it('every recorded history replays with the current workflows/ code', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    for (const file of historyFiles()) {
      const history = load(file);
      expect(history.events?.length).toBeGreaterThan(8);
      await expect(Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('an incompatible change (credit before the check, escrow before the hold) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/trades-reordered'));
    for (const file of ['deposit-credited.json', 'withdraw-partial.json']) {
      const err = await Worker.runReplayHistory({ workflowBundle }, load(file), `replay-reordered-${file}`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeterminismViolationError);
    }
  });
});
