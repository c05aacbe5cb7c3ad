import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFiles, loadHistory, localActivityTypes, REPLAYED_HISTORIES } from '../helpers/histories';
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

  /** The recording's version: 1 for the first files, N for `-vN`. */
  const version = (file: string) => Number(/-v(\d+)\.json$/.exec(file)?.[1] ?? 1);

  it('since money-steps-never-give-up (the -v3 files and later), the credit and the ending run in persistent rounds; older histories replay the old path', () => {
    for (const file of historyFiles(OURS)) expect([file, patchIds(loadHistory(file)).includes('money-steps-never-give-up')]).toEqual([file, version(file) >= 3]);
    // A round lasts the patience (DEFAULT_PATIENCE: 300 s); the old mustHappen profile had no limit.
    expect(scheduleToCloseSeconds(loadHistory('topup-settled-by-webhook-v3.json'), 'paymentsCredit')).toEqual([300]);
    expect(scheduleToCloseSeconds(loadHistory('topup-expired-cancelled-v3.json'), 'paymentsCancel')).toEqual([300]);
    expect(scheduleToCloseSeconds(loadHistory('topup-settled-by-webhook-v2.json'), 'paymentsCredit')).toEqual([0]);
  });

  it('since topup-checked-and-credited-in-one-local-step (the -v4 files), a poll that finds the payment paid credits it: one local activity, no credit step', () => {
    for (const file of historyFiles(OURS)) expect([file, patchIds(loadHistory(file)).includes('topup-checked-and-credited-in-one-local-step')]).toEqual([file, version(file) >= 4]);
    const scheduled = (file: string) => (loadHistory(file).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    for (const file of ['topup-settled-by-webhook-v4.json', 'topup-reconciled-by-polling-v4.json', 'topup-expired-then-late-settlement-v4.json']) {
      expect([file, localActivityTypes(loadHistory(file)).at(-1)]).toEqual([file, 'paymentsCheckAndCredit']);
      expect([file, scheduled(file)]).toEqual([file, expect.not.arrayContaining(['paymentsCheckStatus', 'paymentsCredit'])]);
    }
    // Nothing paid: the polls still read the gateway, and there is nothing to credit.
    expect(localActivityTypes(loadHistory('topup-expired-cancelled-v4.json'))).toContain('paymentsCheckAndCredit');
    expect(scheduled('topup-expired-cancelled-v4.json')).toContain('paymentsCancel');
  });

  it('an incompatible change (charge before the payment row) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/topup-reordered'));
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('topup-settled-by-webhook.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
    expect((err as Error).message).toMatch(/nondetermin|Activity type|does not match|mismatch/i);
  });
});
