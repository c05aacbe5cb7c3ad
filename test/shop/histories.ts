import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { purchaseStatusQuery } from '../../workflows/purchase';
import { testTemporalAddress, testTemporalCli } from '../helpers/temporal';
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
export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

export const SCENARIOS: Record<string, (env: ShopEnv) => Promise<string>> = {
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

/** Runs every scenario (a worker must be polling env.taskQueue) and writes `{name}.json`; returns the files. */
export async function recordPurchaseHistories(env: ShopEnv, suffix = ''): Promise<string[]> {
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const files: string[] = [];
  for (const [name, run] of Object.entries(SCENARIOS)) {
    const workflowId = await run(env);
    // The CLI's export is the standard JSON form of a history (historyFromJSON reads it), the same as
    // `temporal workflow show --output json` on a production cluster or a download from the UI.
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
