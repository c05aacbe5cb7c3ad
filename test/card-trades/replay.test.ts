import { Worker } from '@temporalio/worker';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';
import { recordCardTradeHistories, SCENARIOS } from './histories';
import { StandInEscrow, startTradeEnv } from './helpers';

/**
 * Recorded histories of the card trade workflow (test/histories/card-trade-*.json, written by
 * histories.ts) must replay with the current workflow code: proposals wait for days, so a change that
 * would break them fails here.
 */
const recording = process.env.GF_RECORD_HISTORIES === '1';
const OURS = REPLAYED_HISTORIES['card-trades'];

describe('card trade workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startTradeEnv();
      try {
        const escrow = new StandInEscrow();
        await env.startWorker({ escrow });
        const files = await recordCardTradeHistories({ ...env, escrow }, process.env.GF_HISTORY_SUFFIX ?? '');
        expect(files).toHaveLength(process.env.GF_HISTORY_ONLY ? process.env.GF_HISTORY_ONLY.split(',').length : Object.keys(SCENARIOS).length);
      } finally {
        await env.close();
      }
    });
  }

  it('has a recorded history for every scenario', () => {
    for (const name of Object.keys(SCENARIOS)) expect(historyFiles(OURS)).toContain(`${name}.json`);
  });

  it('every recorded history replays with the current workflows/ code', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    const files = historyFiles(OURS);
    expect(files.length).toBeGreaterThanOrEqual(Object.keys(SCENARIOS).length);
    for (const file of files) {
      const history = loadHistory(file);
      expect(history.events?.length).toBeGreaterThan(10);
      await expect(Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`)).resolves.toBeUndefined();
    }
  });
});
