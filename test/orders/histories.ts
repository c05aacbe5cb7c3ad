import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../../lib/wait';
import { fundsAddedSignal, orderAdminSignal, orderStatusQuery } from '../../workflows/order';
import { testTemporalAddress, testTemporalCli } from '../helpers/temporal';
import { newMember, type PaymentsEnv } from '../payments/helpers';
import { addCodes, fund, packageOf, startOrder, uniqueCodes } from './helpers';

/**
 * Records real histories of the order workflow into test/histories/order-*.json for replay.test.ts
 * (orders wait for funds and for admins, so running flows must survive deploys):
 *
 *   GF_RECORD_HISTORIES=1 npx jest test/orders/replay.test.ts
 */
export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

export const SCENARIOS: Record<string, (env: PaymentsEnv) => Promise<string>> = {
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

export async function recordOrderHistories(env: PaymentsEnv, suffix = ''): Promise<string[]> {
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
