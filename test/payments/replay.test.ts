import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, REPLAYED_HISTORIES } from '../helpers/histories';
import { patchIds, scheduleToCloseSeconds } from '../helpers/stuck-flows';
import { bundleWorkflows } from '../helpers/temporal';
import { recordTopupHistories, SCENARIOS } from './histories';
import { startPaymentsEnv } from './helpers';

/**
 * Recorded histories of the top-up workflow (test/histories/topup-*.json, written by histories.ts) must
 * replay with the current workflow code; the negative test proves the replayer catches a change that
 * would break running top-ups.
 */
const recording = process.env.GF_RECORD_HISTORIES === '1';
const OURS = REPLAYED_HISTORIES.payments;

describe('top-up workflow histories', () => {
  if (recording) {
    it('records fresh histories (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startPaymentsEnv();
      try {
        await env.startWorker();
        const files = await recordTopupHistories(env, process.env.GF_HISTORY_SUFFIX ?? '');
        expect(files).toHaveLength(Object.keys(SCENARIOS).length);
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
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const history = loadHistory(file);
      const kinds = (history.events ?? []).map((e) => e.eventType);
      expect(kinds.length).toBeGreaterThan(10);
      await expect(Worker.runReplayHistory({ workflowBundle }, history, `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('the histories cover what they say: a signal, polls only, a timer before the late credit, a cancel', () => {
    const activities = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    const signals = (file: string) => (loadHistory(file).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    expect(signals('topup-settled-by-webhook.json')).toBeGreaterThanOrEqual(1);
    expect(activities('topup-settled-by-webhook.json')).toContain('paymentsCredit');
    expect(signals('topup-reconciled-by-polling.json')).toBe(0);
    expect(activities('topup-reconciled-by-polling.json')).toEqual(expect.arrayContaining(['paymentsCheckStatus', 'paymentsCredit']));
    expect(activities('topup-expired-then-late-settlement.json')).toEqual(expect.arrayContaining(['paymentsEnd', 'paymentsCredit']));
    expect(activities('topup-expired-cancelled.json')).toContain('paymentsCancel');
    expect(activities('topup-expired-cancelled.json')).not.toContain('paymentsCredit');
  });

  it('since topup-signal-only-wakes, a signal is followed by a status read at the gateway before the credit', () => {
    const events = loadHistory('topup-settled-by-webhook-v2.json').events ?? [];
    expect(events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
    const steps = events.flatMap((e) => (e.workflowExecutionSignaledEventAttributes ? ['signal'] : (e.activityTaskScheduledEventAttributes?.activityType?.name ?? [])));
    const signal = steps.indexOf('signal');
    expect(signal).toBeGreaterThanOrEqual(0);
    expect(steps.slice(signal)).toEqual(expect.arrayContaining(['paymentsCheckStatus', 'paymentsCredit']));
    expect(steps.indexOf('paymentsCheckStatus', signal)).toBeLessThan(steps.indexOf('paymentsCredit'));
  });

  it('since money-steps-never-give-up (the -v3 files), the credit and the ending run in persistent rounds; older histories replay the old path', () => {
    for (const file of historyFiles(OURS)) expect([file, patchIds(loadHistory(file)).includes('money-steps-never-give-up')]).toEqual([file, file.endsWith('-v3.json')]);
    // A round lasts the patience (DEFAULT_PATIENCE: 300 s); the old mustHappen profile had no limit.
    expect(scheduleToCloseSeconds(loadHistory('topup-settled-by-webhook-v3.json'), 'paymentsCredit')).toEqual([300]);
    expect(scheduleToCloseSeconds(loadHistory('topup-expired-cancelled-v3.json'), 'paymentsCancel')).toEqual([300]);
    expect(scheduleToCloseSeconds(loadHistory('topup-settled-by-webhook-v2.json'), 'paymentsCredit')).toEqual([0]);
  });

  it('an incompatible change (charge before the payment row) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/topup-reordered'));
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('topup-settled-by-webhook.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
    expect((err as Error).message).toMatch(/nondetermin|Activity type|does not match|mismatch/i);
  });
});
