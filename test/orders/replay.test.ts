import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows } from '../helpers/temporal';
import { startPaymentsEnv } from '../payments/helpers';
import { recordOrderHistories, SCENARIOS } from './histories';

/** Recorded order histories (test/histories/order-*.json) replay with today's code; a reordering is caught. */
const recording = process.env.GF_RECORD_HISTORIES === '1';
const OURS = REPLAYED_HISTORIES.orders;

describe('order workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startPaymentsEnv();
      try {
        await env.startWorker();
        expect(await recordOrderHistories(env, process.env.GF_HISTORY_SUFFIX ?? '')).toHaveLength(Object.keys(SCENARIOS).length);
      } finally {
        await env.close();
      }
    }, 120_000);
  }

  it('has a recorded history for every scenario', () => {
    for (const name of Object.keys(SCENARIOS)) expect(historyFiles(OURS)).toContain(`${name}.json`);
  });

  it('every recorded history replays with the current workflows/ code', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    const files = historyFiles(OURS);
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const history = loadHistory(file);
      expect(history.events?.length).toBeGreaterThan(10);
      await expect(Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('the histories cover what they say', () => {
    const activities = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    const signals = (file: string) => (loadHistory(file).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes!.signalName);
    expect(activities('order-completed.json')).toEqual(expect.arrayContaining(['ledgerHold', 'ordersReserveCodes', 'ordersDeliver', 'ledgerPostHold']));
    expect(signals('order-awaited-funds.json')).toEqual(['fundsAdded']);
    expect(activities('order-out-of-stock.json')).toContain('ledgerVoidHold');
    expect(activities('order-out-of-stock.json')).not.toContain('ordersDeliver');
    expect(signals('order-needs-admin-refunded.json')).toEqual(['adminAction']);
    expect(activities('order-needs-admin-refunded.json')).toEqual(expect.arrayContaining(['ordersNotifyAdmins', 'ledgerVoidHold', 'ordersReleaseCodes']));
    // After patched('money-steps-never-give-up'): the hold's release copes with every outcome of the hold.
    expect(activities('order-out-of-stock-v2.json')).toContain('ledgerUndoHold');
    expect(activities('order-out-of-stock-v2.json')).not.toContain('ledgerVoidHold');
    expect(activities('order-needs-admin-refunded-v2.json')).toEqual(expect.arrayContaining(['ordersNotifyAdmins', 'ledgerUndoHold', 'ordersReleaseCodes']));
    // After patched('order-fewer-round-trips'): the low-stock check is scheduled with the delivery, and the
    // charge and the completion are one step.
    const completed = activities('order-completed-v3.json');
    expect(completed).toContain('ordersComplete');
    expect(completed).not.toContain('ledgerPostHold');
    expect(completed.slice(completed.indexOf('ordersCheckLowStock'), completed.indexOf('ordersCheckLowStock') + 2).sort()).toEqual(['ordersCheckLowStock', 'ordersDeliver']);
    expect(activities('order-needs-admin-refunded-v3.json')).toEqual(expect.arrayContaining(['ordersNotifyAdmins', 'ledgerUndoHold', 'ordersReleaseCodes']));
  });

  it('an incompatible change (codes reserved before the hold) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/order-reordered'));
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('order-completed.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
  });
});
