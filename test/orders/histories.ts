import { waitFor } from '../../lib/wait';
import { fundsAddedSignal, orderAdminSignal, orderStatusQuery } from '../../lib/flows/orders';
import { recordHistories, type Scenarios } from '../helpers/histories';
import { newMember, type PaymentsEnv } from '../payments/helpers';
import { addCodes, fund, packageOf, startOrder, uniqueCodes } from './helpers';

/**
 * Records real histories of the order workflow into test/histories/order-*.json for replay.test.ts
 * (orders wait for funds and for admins, so running flows must survive deploys):
 *
 *   GF_RECORD_HISTORIES=1 npx jest test/orders/replay.test.ts
 */
export const SCENARIOS: Scenarios<PaymentsEnv> = {
  /** Hold → reserve → DM → post → completed. */
  'order-completed': async (env) => {
    const user = newMember(env, 'history-order');
    const pkg = await packageOf(env, 1);
    await fund(env, user, pkg.price);
    await addCodes(env, uniqueCodes(1));
    const h = await startOrder(env, { userId: user, packageId: pkg.id });
    await h.result();
    return h.workflowId;
  },
  /** Short balance: told, funded, signal, then completed. */
  'order-awaited-funds': async (env) => {
    const user = newMember(env, 'history-short');
    const pkg = await packageOf(env, 1);
    await addCodes(env, uniqueCodes(1));
    const h = await startOrder(env, { userId: user, packageId: pkg.id, fundsRetrySeconds: 60, topupWaitSeconds: 60 });
    await waitFor(async () => (await h.query(orderStatusQuery)).status === 'awaiting_funds', { timeoutMs: 10_000, what: 'awaiting funds' });
    await fund(env, user, pkg.price);
    await h.signal(fundsAddedSignal);
    await h.result();
    return h.workflowId;
  },
  /** Out of stock: hold voided, failed. */
  'order-out-of-stock': async (env) => {
    const user = newMember(env, 'history-oos');
    const pkg = await packageOf(env, 50);
    await fund(env, user, pkg.price);
    const h = await startOrder(env, { userId: user, packageId: pkg.id });
    await h.result();
    return h.workflowId;
  },
  /** DMs closed, no interaction: needs_admin, refunded by an admin. */
  'order-needs-admin-refunded': async (env) => {
    const user = newMember(env, 'history-closed');
    const pkg = await packageOf(env, 1);
    await fund(env, user, pkg.price);
    await addCodes(env, uniqueCodes(1));
    env.discord.setDmsClosed(user, true);
    const h = await startOrder(env, { userId: user, packageId: pkg.id, deliveryTimeoutSeconds: 1, deliveryRetrySeconds: 1 });
    await waitFor(async () => (await h.query(orderStatusQuery)).status === 'needs_admin', { timeoutMs: 15_000, what: 'needs admin' });
    await h.signal(orderAdminSignal, { action: 'refund', by: 'history-admin' });
    await h.result();
    return h.workflowId;
  },
};

export function recordOrderHistories(env: PaymentsEnv, suffix = ''): Promise<string[]> {
  return recordHistories(env, SCENARIOS, suffix);
}
