import { cancelWithdrawalUpdate, withdrawStatusQuery } from '../../lib/flows/trades';
import { recordHistories, type Scenarios } from '../helpers/histories';
import { member, newId, newRobloxId, waitFor, type TradeEnv } from './helpers';

/**
 * Records real histories of the deposit and withdraw workflows into test/histories/{deposit,withdraw}-*.json
 * for test/trades/replay.test.ts:  GF_RECORD_HISTORIES=1 npx jest test/trades/replay.test.ts
 * After a patched() change, record beside the old files, e.g. only the withdrawals:
 *   GF_RECORD_HISTORIES=1 GF_HISTORY_SUFFIX=-v2 GF_HISTORY_SCENARIOS=withdraw-partial,withdraw-expired npx jest test/trades/replay.test.ts
 */
const waiting = (env: TradeEnv, workflowId: string) =>
  waitFor(() => env.temporal.client.workflow.getHandle(workflowId).query(withdrawStatusQuery).catch(() => null), (s) => s?.status === 'waiting');

export const SCENARIOS: Scenarios<TradeEnv> = {
  /** Checked, gems + pets credited, receipt DM. */
  'deposit-credited': async (env) => {
    const user = member(env, 'hist-dep');
    const robloxId = await env.link(user);
    const sp = await env.species(`histdragon${newId()}`);
    const tradeId = `h-${newId()}`;
    const res = await env.client().request('POST', '/roblox/v1/deposits', { tradeId, robloxUserId: String(robloxId), gems: 40, pets: [{ species: sp.key, variant: 'rainbow', quantity: 1 }] });
    if (res.status !== 200) throw new Error(`deposit: ${res.text}`);
    // The game is answered before the receipt DM: the history is kept once the flow has ended.
    const workflowId = `deposit:${env.game.id}:${tradeId}`;
    await env.temporal.client.workflow.getHandle(workflowId).result();
    return workflowId;
  },
  /** Unlinked player: refused, nothing else. */
  'deposit-refused': async (env) => {
    const tradeId = `h-${newId()}`;
    await env.client().request('POST', '/roblox/v1/deposits', { tradeId, robloxUserId: String(newRobloxId()), gems: 5 });
    return `deposit:${env.game.id}:${tradeId}`;
  },
  /** Hold gems, escrow pets, game claims (update) and confirms a partial delivery (update), post + burn, release rest. */
  'withdraw-partial': async (env) => {
    const user = member(env, 'hist-wd');
    await env.link(user);
    const sp = await env.species(`histcat${newId()}`);
    await env.giveGems(user, 100n);
    await env.givePets(user, sp.id, 2, 'shiny');
    const h = await env.startWithdraw({ userId: user, gems: '100', pets: [{ speciesId: sp.id, variant: 'shiny', quantity: 2 }] });
    await waiting(env, h.workflowId);
    const id = h.workflowId.slice('withdraw:'.length);
    await env.client().request('POST', `/roblox/v1/withdrawals/${id}/claim`);
    await env.client().request('POST', `/roblox/v1/withdrawals/${id}/confirm`, { delivered: { gems: 60, pets: [{ species: sp.key, variant: 'shiny', quantity: 1 }] } });
    await h.result();
    return h.workflowId;
  },
  /** Nobody delivers: the timer (2 s from the input) releases everything. */
  'withdraw-expired': async (env) => {
    const user = member(env, 'hist-exp');
    await env.link(user);
    await env.giveGems(user, 30n);
    const h = await env.startWithdraw({ userId: user, gems: '30', timeoutSeconds: 2 });
    await h.result();
    return h.workflowId;
  },
  /** The member cancels (update) before any game claims it. */
  'withdraw-cancelled': async (env) => {
    const user = member(env, 'hist-can');
    await env.link(user);
    await env.giveGems(user, 30n);
    const h = await env.startWithdraw({ userId: user, gems: '30' });
    await waiting(env, h.workflowId);
    await h.executeUpdate(cancelWithdrawalUpdate, { args: [{ by: user }] });
    await h.result();
    return h.workflowId;
  },
  /** More pets than owned: the gem hold is voided (compensation), refused. */
  'withdraw-refused': async (env) => {
    const user = member(env, 'hist-ref');
    await env.link(user);
    const sp = await env.species(`histfox${newId()}`);
    await env.giveGems(user, 30n);
    const h = await env.startWithdraw({ userId: user, gems: '30', pets: [{ speciesId: sp.id, variant: 'normal', quantity: 1 }] });
    await h.result();
    return h.workflowId;
  },
};

/** Records the named scenarios (all by default) as `{name}{suffix}.json`. */
export function recordTradeHistories(env: TradeEnv, suffix = '', names: readonly string[] = Object.keys(SCENARIOS)): Promise<string[]> {
  return recordHistories(env, Object.fromEntries(names.map((n) => [n, SCENARIOS[n]!])), suffix);
}
