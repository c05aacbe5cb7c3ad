import { waitFor } from '../../lib/wait';
import { topupStatusQuery } from '../../lib/flows/payments';
import { recordHistories, type Scenarios } from '../helpers/histories';
import { newMember, newPaymentId, startTopup, type PaymentsEnv } from './helpers';

/**
 * Records real histories of the top-up workflow into test/histories/topup-*.json for replay.test.ts,
 * which proves the current workflow code still replays them (a top-up waits up to hours for a late
 * payment, so running flows must survive deploys). Record after a patched() change, keeping old files:
 *
 *   GF_RECORD_HISTORIES=1 npx jest test/payments/replay.test.ts
 */
const waitCharged = (env: PaymentsEnv, paymentId: string) =>
  waitFor(async () => (await env.temporal.client.workflow.getHandle(`topup:${paymentId}`).query(topupStatusQuery)).step.startsWith('waiting'), {
    timeoutMs: 10_000,
    what: 'the charge',
  });

export const SCENARIOS: Scenarios<PaymentsEnv> = {
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

export function recordTopupHistories(env: PaymentsEnv, suffix = ''): Promise<string[]> {
  return recordHistories(env, SCENARIOS, suffix);
}
