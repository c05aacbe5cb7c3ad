import { domainMismatches } from '../../activities/ledger/consistency';
import type { Patience } from '../../lib/flows/flow';
import { waitFor } from '../../lib/wait';
import { poolOf } from '../../prisma/transactions';
import { startOutageWorker, type OutageWorker } from '../helpers/outage';
import { expectWentThrough, waitUntilStuck } from '../helpers/stuck-flows';
import { ESCROW_OWNER, member, startTradeEnv, type TradeEnv } from '../trades/helpers';

/**
 * The database goes away right after a withdrawal's delivered gems were posted — the reply never arrives —
 * and stays away longer than a round: the withdrawal is stuck settling, then delivered, charged once.
 */
const PATIENCE: Patience = { stuckAfterSeconds: 2, retryEverySeconds: 1 };
const DOWN_MS = 6000;

describe('a database outage right after a withdrawal settles', () => {
  let env: TradeEnv;
  let worker: OutageWorker;

  beforeAll(async () => {
    env = await startTradeEnv();
    worker = await startOutageWorker({ dbUrl: env.db.url, discord: env.discord, temporal: env.temporal, taskQueue: env.taskQueue });
    await worker.activities.discordPostAdminLog({ guildId: env.demo.guild.id, message: { content: 'Guildflow worker online' } });
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.close();
  });

  it('cut after ledgerPostHold: delivered, gems charged once, escrow empty, the ledger agrees', async () => {
    const user = member(env, 'outage');
    const robloxId = await env.link(user);
    const sp = await env.species(`outage${Date.now().toString(36)}`, 50n);
    await env.giveGems(user, 500n);
    await env.givePets(user, sp.id, 3, 'shiny');
    const handle = await env.startWithdraw({ userId: user, gems: '200', pets: [{ speciesId: sp.id, variant: 'shiny', quantity: 2 }], patience: PATIENCE });
    const id = handle.workflowId.slice('withdraw:'.length);
    // Escrowed: the pets sit with the escrow owner (the last step before the flow waits for the game).
    await waitFor(async () => (await env.pets(ESCROW_OWNER, sp.id, 'shiny')) === 2, { timeoutMs: 30_000, what: 'the pets in escrow' });
    expect(robloxId).toBeGreaterThan(0n);

    const outage = worker.cutAfter('ledgerPostHold', { downMs: DOWN_MS });
    const game = env.client();
    expect((await game.request('POST', `/roblox/v1/withdrawals/${id}/claim`)).status).toBe(200);
    const confirm = await game.request('POST', `/roblox/v1/withdrawals/${id}/confirm`, { delivered: { gems: 200, pets: [{ species: sp.key, variant: 'shiny', quantity: 2 }] } });
    expect(confirm.json).toEqual({ withdrawalId: id, outcome: 'delivered' });

    const adminLog = { discord: env.discord, channelId: env.demo.channels.adminLog.id };
    expect(await waitUntilStuck(handle, 'post the delivered gems', adminLog)).toMatchObject({ step: 'post the delivered gems' });
    const o = await outage;
    expect(o.restoredAt - o.cutAt).toBeGreaterThan(PATIENCE.stuckAfterSeconds * 1000);

    expect(await handle.result()).toMatchObject({ status: 'delivered', outcome: 'delivered' });
    await expectWentThrough(handle, adminLog);
    expect(await env.gems(user)).toEqual({ balance: 300n, held: 0n, available: 300n });
    expect(await env.pets(user, sp.id, 'shiny')).toBe(1);
    expect(await env.pets(ESCROW_OWNER, sp.id, 'shiny')).toBe(0);
    expect(await env.escrowGems()).toBe(0n);
    expect(await env.prisma.withdrawal.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'delivered', deliveredGems: 200n });
    expect((await env.ledger.validate(env.demo.guild.id)).ok).toBe(true);
    expect(await domainMismatches(poolOf(env.prisma), env.demo.guild.id)).toEqual([]);
  });
});
