import { purchaseStatusQuery } from '../../lib/flows/shop';
import { waitFor } from '../../lib/wait';
import { recordHistories, type Scenarios } from '../helpers/histories';
import { fund, item, startPurchase, type ShopEnv } from './helpers';

/**
 * Records real histories of the purchase workflow into test/histories/purchase-*.json, for the replay
 * test (replay.test.ts), which proves the current workflow code still replays them. Run it after a
 * change to workflows/purchase.ts that is guarded by patched() (keep the old files: both must replay):
 *
 *   GF_RECORD_HISTORIES=1 GF_HISTORY_SUFFIX=-v3 npx jest test/shop/replay.test.ts
 *
 * Each scenario runs the real workflow against the fake Discord and a test database (startShopEnv).
 */
export const SCENARIOS: Scenarios<ShopEnv> = {
  /** Completed purchase of a timed role: hold, stock, role, inventory, post, timer, role removed. */
  'purchase-timed-role': async (env) => {
    const user = member(env, 'history-timed');
    await fund(env, user, 100n);
    const role = env.discord.createRole(env.demo.guild.id, { name: 'History VIP' });
    const it = await item(env, { name: 'History VIP pass', price: 100n, stock: 5, roleId: role.id, roleDurationSeconds: 2 });
    const handle = await startPurchase(env, { itemId: it.id, userId: user });
    await handle.query(purchaseStatusQuery).catch(() => undefined); // queries leave no trace in history
    await handle.result();
    return handle.workflowId;
  },
  /**
   * A timed role bought again while on (patched: timed-role-shared-by-purchases): the second purchase
   * finds the role held by the first, shares it, and removes it at its own (later) end.
   */
  'purchase-timed-role-bought-again': async (env) => {
    const user = member(env, 'history-twice');
    await fund(env, user, 200n);
    const role = env.discord.createRole(env.demo.guild.id, { name: 'History VIP twice' });
    const it = await item(env, { name: 'History VIP twice pass', price: 100n, stock: 5, roleId: role.id, roleDurationSeconds: 3 });
    const first = await startPurchase(env, { itemId: it.id, userId: user });
    const firstId = first.workflowId.split(':')[1]!;
    await waitFor(async () => (await env.prisma.purchase.findUniqueOrThrow({ where: { id: firstId } })).roleExpiresAt ?? undefined, { timeoutMs: 15_000, what: 'the first role' });
    const second = await startPurchase(env, { itemId: it.id, userId: user });
    await first.result();
    await second.result();
    return second.workflowId;
  },
  /** The role is above the bot's: compensations (void hold, restock), failed, member and admins told. */
  'purchase-role-grant-failed': async (env) => {
    const user = member(env, 'history-failed');
    await fund(env, user, 100n);
    const botTop = env.discord.roles(env.demo.guild.id).find((r) => r.id === env.demo.guild.botRoleId)!.position;
    const role = env.discord.createRole(env.demo.guild.id, { name: 'History Legend', position: botTop + 1 });
    const it = await item(env, { name: 'History Legend pass', price: 60n, stock: 2, roleId: role.id });
    const handle = await startPurchase(env, { itemId: it.id, userId: user });
    await handle.result();
    return handle.workflowId;
  },
  /** Refused by the ledger: nothing to compensate. */
  'purchase-insufficient-funds': async (env) => {
    const user = member(env, 'history-poor');
    await fund(env, user, 5n);
    const it = await item(env, { name: 'History potion', price: 50n });
    const handle = await startPurchase(env, { itemId: it.id, userId: user });
    await handle.result();
    return handle.workflowId;
  },
};

function member(env: ShopEnv, username: string): string {
  const u = env.discord.createUser({ username });
  env.discord.addMember(env.demo.guild.id, u.id);
  return u.id;
}

export function recordPurchaseHistories(env: ShopEnv, suffix = ''): Promise<string[]> {
  return recordHistories(env, SCENARIOS, suffix);
}
