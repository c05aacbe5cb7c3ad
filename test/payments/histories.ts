import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../../lib/wait';
import { topupStatusQuery } from '../../workflows/topup';
import { testTemporalAddress, testTemporalCli } from '../helpers/temporal';
import { newMember, newPaymentId, startTopup, type PaymentsEnv } from './helpers';

/**
 * Records real histories of the top-up workflow into test/histories/topup-*.json for replay.test.ts,
 * which proves the current workflow code still replays them (a top-up waits up to hours for a late
 * payment, so running flows must survive deploys). Record after a patched() change, keeping old files:
 *
 *   GF_RECORD_HISTORIES=1 npx jest test/payments/replay.test.ts
 */
export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

const waitCharged = (env: PaymentsEnv, paymentId: string) =>
  waitFor(async () => (await env.temporal.client.workflow.getHandle(`topup:${paymentId}`).query(topupStatusQuery)).step.startsWith('waiting'), {
    timeoutMs: 10_000,
    what: 'the charge',
  });

export const SCENARIOS: Record<string, (env: PaymentsEnv) => Promise<string>> = {
  /** Charge → webhook settlement (signal) → credit → receipt. */
  'topup-settled-by-webhook': async (env) => {
    const paymentId = newPaymentId('hist');
    const h = await startTopup(env, { paymentId, userId: newMember(env, 'history-paid'), amount: '20000' });
    await waitCharged(env, paymentId);
    await env.midtrans.pay(paymentId);
    await h.result();
    return h.workflowId;
  },
  /** Notifications dropped: status polls (the reconciler) find the settlement. */
  'topup-reconciled-by-polling': async (env) => {
    const paymentId = newPaymentId('hist');
    env.midtrans.setNotificationMode('drop');
    try {
      const h = await startTopup(env, { paymentId, userId: newMember(env, 'history-polled'), amount: '21000', pollSeconds: 1 });
      await waitCharged(env, paymentId);
      await env.midtrans.pay(paymentId);
      await h.result();
      return h.workflowId;
    } finally {
      env.midtrans.setNotificationMode('normal');
    }
  },
  /** Our expiry (member told), then a late settlement, credited. */
  'topup-expired-then-late-settlement': async (env) => {
    const paymentId = newPaymentId('hist');
    const h = await startTopup(env, { paymentId, userId: newMember(env, 'history-late'), amount: '22000', expirySeconds: 1, pollSeconds: 30, lateSettlementSeconds: 30 });
    await waitFor(async () => (await h.query(topupStatusQuery)).status === 'expired', { timeoutMs: 10_000, what: 'the expiry' });
    await env.midtrans.pay(paymentId);
    await h.result();
    return h.workflowId;
  },
  /** Nothing paid: expiry, late window over, charge cancelled at the gateway. */
  'topup-expired-cancelled': async (env) => {
    const paymentId = newPaymentId('hist');
    const h = await startTopup(env, { paymentId, userId: newMember(env, 'history-unpaid'), amount: '23000', expirySeconds: 1, pollSeconds: 30, lateSettlementSeconds: 1 });
    await h.result();
    return h.workflowId;
  },
};

/** Runs every scenario (a worker must poll env.taskQueue) and writes `{name}{suffix}.json`. */
export async function recordTopupHistories(env: PaymentsEnv, suffix = ''): Promise<string[]> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const files: string[] = [];
  for (const [name, run] of Object.entries(SCENARIOS)) {
    const workflowId = await run(env);
    const { stdout } = await promisify(execFile)(
      testTemporalCli(),
      ['workflow', 'show', '--workflow-id', workflowId, '--address', testTemporalAddress(), '--namespace', env.temporal.namespace, '--output', 'json'],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const file = path.join(HISTORIES_DIR, `${name}${suffix}.json`);
    writeFileSync(file, `${JSON.stringify(JSON.parse(stdout), null, 2)}\n`);
    files.push(file);
  }
  return files;
}
