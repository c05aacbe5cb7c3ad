import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles as files, loadHistory as load, localActivityTypes, REPLAYED_HISTORIES, workflowTasksBeforeUpdateCompleted } from '../helpers/histories';
import { patchIds, scheduleToCloseSeconds } from '../helpers/stuck-flows';
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
        const names = process.env.GF_HISTORY_SCENARIOS?.split(',') ?? Object.keys(SCENARIOS);
        expect(await recordTradeHistories(env, process.env.GF_HISTORY_SUFFIX ?? '', names)).toHaveLength(names.length);
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

  it('since money-steps-never-give-up (withdraw-*-v2), the hold and the settling run in persistent rounds; older histories replay the old path', () => {
    for (const file of historyFiles().filter((f) => f.startsWith('withdraw-'))) expect([file, patchIds(load(file)).includes('money-steps-never-give-up')]).toEqual([file, file.endsWith('-v2.json')]);
    const v2 = load('withdraw-partial-v2.json');
    for (const step of ['ledgerHold', 'tradeEscrowPets', 'ledgerPostHold', 'ledgerTransfer', 'tradeSettlePets']) expect([step, scheduleToCloseSeconds(v2, step)]).toEqual([step, [300]]);
    expect(scheduleToCloseSeconds(load('withdraw-expired-v2.json'), 'ledgerVoidHold')).toEqual([300]);
    expect(scheduleToCloseSeconds(load('withdraw-partial.json'), 'ledgerHold')).toEqual([0]);
    // A refusal releases the hold with the ledger's undo (it copes with a hold that never came).
    expect(scheduleToCloseSeconds(load('withdraw-refused-v2.json'), 'ledgerUndoHold')).toEqual([300]);
  });

  it('since deposit-settled-in-one-local-step (deposit-*-v2), the check and the credit are one local activity and the game is answered in the first workflow task; older histories replay the old path', () => {
    for (const file of historyFiles().filter((f) => f.startsWith('deposit-'))) expect([file, patchIds(load(file)).includes('deposit-settled-in-one-local-step')]).toEqual([file, file.endsWith('-v2.json')]);
    const v2 = load('deposit-credited-v2.json');
    expect(localActivityTypes(v2)).toEqual(['tradeSettleDeposit']);
    expect(workflowTasksBeforeUpdateCompleted(v2)).toBe(1);
    expect(workflowTasksBeforeUpdateCompleted(load('deposit-credited.json'))).toBe(3);
    expect(localActivityTypes(load('deposit-refused-v2.json'))).toEqual(['tradeSettleDeposit']);
  });

  it('an incompatible change (credit before the check, escrow before the hold) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/trades-reordered'));
    for (const file of ['deposit-credited.json', 'withdraw-partial.json']) {
      const err = await Worker.runReplayHistory({ workflowBundle }, load(file), `replay-reordered-${file}`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeterminismViolationError);
    }
  });
});
