import { WorkflowUpdateFailedError } from '@temporalio/client';
import { cancelWithdrawalUpdate, withdrawStatusQuery, type WithdrawState } from '../../lib/flows/trades';
import { ESCROW_OWNER, member, startTradeEnv, waitFor, type TradeEnv } from './helpers';
import { domainMismatches } from '../../activities/ledger/consistency';
import { poolOf } from '../../prisma/transactions';

/**
 * The withdraw workflow on a real worker, the game's side through the signed API: escrow (gems held in
 * the ledger, pets moved to 'escrow'), then exactly one ending — delivered (full or partial), cancelled,
 * expired, failed, refused — and nothing lost: the member's gems + pets before = after + what the game
 * got, the escrow back at zero, the ledger valid.
 */
let env: TradeEnv;
let worker: Awaited<ReturnType<TradeEnv['startWorker']>>;

beforeAll(async () => {
  env = await startTradeEnv();
  worker = await env.startWorker();
});
afterAll(async () => {
  await env?.close();
});

async function setup(name: string, gems = 500n, pets = 3) {
  const user = member(env, name);
  const robloxId = await env.link(user);
  const sp = await env.species(`${name}${Date.now().toString(36)}`, 50n);
  if (gems > 0n) await env.giveGems(user, gems);
  if (pets > 0) await env.givePets(user, sp.id, pets, 'shiny');
  return { user, robloxId, sp };
}

const waiting = (h: { query: (q: typeof withdrawStatusQuery) => Promise<WithdrawState> }) =>
  waitFor(() => h.query(withdrawStatusQuery).catch(() => null), (s) => s?.status === 'waiting');

it('escrows, lets the game claim and confirm a full delivery, then posts: gems and pets leave, escrow back to zero', async () => {
  const { user, robloxId, sp } = await setup('full');
  const handle = await env.startWithdraw({ userId: user, gems: '200', pets: [{ speciesId: sp.id, variant: 'shiny', quantity: 2 }] });
  const id = handle.workflowId.slice('withdraw:'.length);
  await waiting(handle);
  expect(await env.gems(user)).toEqual({ balance: 500n, held: 200n, available: 300n });
  expect(await env.pets(user, sp.id, 'shiny')).toBe(1);
  expect(await env.pets(ESCROW_OWNER, sp.id, 'shiny')).toBe(2);

  const game = env.client();
  const pending = await game.request('GET', `/roblox/v1/withdrawals?players=${robloxId},123`);
  expect(pending.status).toBe(200);
  expect((pending.json as { withdrawals: unknown[] }).withdrawals).toEqual([
    { id, robloxUserId: String(robloxId), gems: '200', pets: [{ species: sp.key, name: sp.name, variant: 'shiny', quantity: 2 }], claimed: false, expiresAt: expect.any(String) },
  ]);
  expect((await game.request('POST', `/roblox/v1/withdrawals/${id}/claim`)).status).toBe(200);
  // Claimed: the member can no longer cancel (the game may already be giving the items).
  await expect(handle.executeUpdate(cancelWithdrawalUpdate, { args: [{ by: user }] })).rejects.toThrow(WorkflowUpdateFailedError);
  const confirm = await game.request('POST', `/roblox/v1/withdrawals/${id}/confirm`, { delivered: { gems: 200, pets: [{ species: sp.key, variant: 'shiny', quantity: 2 }] } });
  expect(confirm.json).toEqual({ withdrawalId: id, outcome: 'delivered' });
  const result = await handle.result();
  expect(result).toMatchObject({ status: 'delivered', outcome: 'delivered', claimedBy: env.game.id });
  expect(await env.gems(user)).toEqual({ balance: 300n, held: 0n, available: 300n });
  expect(await env.pets(user, sp.id, 'shiny')).toBe(1);
  expect(await env.pets(ESCROW_OWNER, sp.id, 'shiny')).toBe(0);
  expect(await env.escrowGems()).toBe(0n);
  expect(await env.prisma.withdrawal.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'delivered', deliveredGems: 200n, gameId: env.game.id });
  await env.discord.waitFor(() => env.discord.dms(user).length >= 1, 10_000, 'outcome DM');
  expect(env.discord.dms(user)[0]!.embeds?.[0]?.title).toBe('Withdrawal delivered');
  expect((await env.ledger.validate(env.demo.guild.id)).ok).toBe(true);
  expect(await domainMismatches(poolOf(env.prisma), env.demo.guild.id)).toEqual([]);
  // A late second confirmation changes nothing.
  const late = await game.request('POST', `/roblox/v1/withdrawals/${id}/confirm`, { delivered: { gems: 200 } });
  expect({ status: late.status, code: (late.json as { error: { code: string } }).error.code }).toEqual({ status: 409, code: 'withdrawal_closed' });
  expect(await env.gems(user)).toEqual({ balance: 300n, held: 0n, available: 300n });
});

it('partial delivery posts what was delivered and releases the rest', async () => {
  const { user, sp } = await setup('partial');
  const handle = await env.startWithdraw({ userId: user, gems: '300', pets: [{ speciesId: sp.id, variant: 'shiny', quantity: 3 }] });
  const id = handle.workflowId.slice('withdraw:'.length);
  await waiting(handle);
  const confirm = await env.client().request('POST', `/roblox/v1/withdrawals/${id}/confirm`, { delivered: { gems: 100, pets: [{ species: sp.key, variant: 'shiny', quantity: 1 }] } });
  expect(confirm.json).toEqual({ withdrawalId: id, outcome: 'partial' });
  expect((await handle.result()).status).toBe('partial');
  expect(await env.gems(user)).toEqual({ balance: 400n, held: 0n, available: 400n });
  expect(await env.pets(user, sp.id, 'shiny')).toBe(2);
  expect(await env.pets(ESCROW_OWNER, sp.id, 'shiny')).toBe(0);
  expect(await env.escrowGems()).toBe(0n);
});

it('a game reporting more than the withdrawal holds is refused and the withdrawal keeps waiting', async () => {
  const { user, sp } = await setup('overdeliver');
  const handle = await env.startWithdraw({ userId: user, gems: '100', pets: [{ speciesId: sp.id, variant: 'shiny', quantity: 1 }], timeoutSeconds: 2 });
  const id = handle.workflowId.slice('withdraw:'.length);
  await waiting(handle);
  const over = await env.client().request('POST', `/roblox/v1/withdrawals/${id}/confirm`, { delivered: { gems: 101 } });
  expect(over.status).toBe(409);
  expect((over.json as { error: { code: string } }).error.code).toBe('over_delivery');
  expect((await handle.result()).status).toBe('expired');
});

it('times out (seconds, from the input) and releases the escrow back to the member', async () => {
  const { user, sp } = await setup('timeout');
  const handle = await env.startWithdraw({ userId: user, gems: '150', pets: [{ speciesId: sp.id, variant: 'shiny', quantity: 3 }], timeoutSeconds: 2 });
  await waiting(handle);
  expect((await env.gems(user)).held).toBe(150n);
  const result = await handle.result();
  expect(result).toMatchObject({ status: 'expired', outcome: 'expired' });
  expect(await env.gems(user)).toEqual({ balance: 500n, held: 0n, available: 500n });
  expect(await env.pets(user, sp.id, 'shiny')).toBe(3);
  expect(await env.pets(ESCROW_OWNER, sp.id, 'shiny')).toBe(0);
  const id = handle.workflowId.slice('withdraw:'.length);
  expect(await env.prisma.withdrawal.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'expired', deliveredGems: 0n });
  expect((await env.client().request('POST', `/roblox/v1/withdrawals/${id}/claim`)).status).toBe(409);
});

it('refuses an over-withdraw: more gems than available, or more pets than owned (the gem hold voided); nothing moves', async () => {
  const { user, sp } = await setup('over', 100n, 1);
  const tooManyGems = await env.startWithdraw({ userId: user, gems: '101' });
  expect(await tooManyGems.result()).toMatchObject({ status: 'refused', outcome: 'refused' });
  expect((await tooManyGems.result()).reason).toContain('You have 100 gems available, not 101');
  const tooManyPets = await env.startWithdraw({ userId: user, gems: '50', pets: [{ speciesId: sp.id, variant: 'shiny', quantity: 2 }] });
  expect(await tooManyPets.result()).toMatchObject({ status: 'refused', outcome: 'refused' });
  expect((await tooManyPets.result()).reason).toContain('You have 1 × Shiny');
  // The hold placed before the pets failed was voided: nothing held, nothing moved.
  expect(await env.gems(user)).toEqual({ balance: 100n, held: 0n, available: 100n });
  expect(await env.pets(user, sp.id, 'shiny')).toBe(1);
  expect(await env.pets(ESCROW_OWNER, sp.id, 'shiny')).toBe(0);
  const holdKey = `${tooManyPets.workflowId}:gems`;
  expect(await env.ledger.entry(holdKey)).toMatchObject({ status: 'voided' });
  expect(await env.prisma.withdrawal.findUniqueOrThrow({ where: { id: tooManyPets.workflowId.slice(9) } })).toMatchObject({ status: 'refused' });
});

it('refuses a member with no linked Roblox account; nothing moves', async () => {
  const user = member(env, 'unlinked');
  await env.giveGems(user, 100n);
  const handle = await env.startWithdraw({ userId: user, gems: '10' });
  expect(await handle.result()).toMatchObject({ status: 'refused', reason: expect.stringContaining('no Roblox account linked') });
  expect(await env.gems(user)).toEqual({ balance: 100n, held: 0n, available: 100n });
});

it('cancel racing the confirmation: exactly one outcome wins, and balances follow that outcome', async () => {
  for (let round = 0; round < 4; round++) {
    const { user, sp } = await setup(`race${round}`, 100n, 2);
    const handle = await env.startWithdraw({ userId: user, gems: '100', pets: [{ speciesId: sp.id, variant: 'shiny', quantity: 2 }] });
    const id = handle.workflowId.slice('withdraw:'.length);
    await waiting(handle);
    const [cancel, confirm] = await Promise.allSettled([
      handle.executeUpdate(cancelWithdrawalUpdate, { args: [{ by: user }] }),
      env.client().request('POST', `/roblox/v1/withdrawals/${id}/confirm`, { delivered: { gems: 100, pets: [{ species: sp.key, variant: 'shiny', quantity: 2 }] } }),
    ]);
    const cancelWon = cancel.status === 'fulfilled';
    const confirmWon = confirm.status === 'fulfilled' && confirm.value.status === 200;
    expect(cancelWon !== confirmWon).toBe(true); // exactly one
    const result = await handle.result();
    if (cancelWon) {
      expect(result.status).toBe('cancelled');
      expect(await env.gems(user)).toEqual({ balance: 100n, held: 0n, available: 100n });
      expect(await env.pets(user, sp.id, 'shiny')).toBe(2);
    } else {
      expect(result.status).toBe('delivered');
      expect(await env.gems(user)).toEqual({ balance: 0n, held: 0n, available: 0n });
      expect(await env.pets(user, sp.id, 'shiny')).toBe(0);
    }
    expect(await env.pets(ESCROW_OWNER, sp.id, 'shiny')).toBe(0);
  }
  expect(await env.escrowGems()).toBe(0n);
  expect((await env.ledger.validate(env.demo.guild.id)).ok).toBe(true);
  expect(await domainMismatches(poolOf(env.prisma), env.demo.guild.id)).toEqual([]);
});

it('survives a worker restart mid-withdraw: a new worker takes the confirmation and posts once', async () => {
  const { user, sp } = await setup('restart', 300n, 2);
  const handle = await env.startWithdraw({ userId: user, gems: '300', pets: [{ speciesId: sp.id, variant: 'shiny', quantity: 2 }] });
  const id = handle.workflowId.slice('withdraw:'.length);
  await waiting(handle);
  // Every worker goes away while the withdrawal waits; a fresh one comes up.
  await worker.stop();
  expect((await env.prisma.withdrawal.findUniqueOrThrow({ where: { id } })).status).toBe('escrowed');
  worker = await env.startWorker();
  const game = env.client();
  expect((await game.request('POST', `/roblox/v1/withdrawals/${id}/claim`)).status).toBe(200);
  expect((await game.request('POST', `/roblox/v1/withdrawals/${id}/confirm`, { delivered: { gems: 300, pets: [{ species: sp.key, variant: 'shiny', quantity: 2 }] } })).json).toEqual({ withdrawalId: id, outcome: 'delivered' });
  expect((await handle.result()).status).toBe('delivered');
  expect(await env.gems(user)).toEqual({ balance: 0n, held: 0n, available: 0n });
  expect(await env.pets(user, sp.id, 'shiny')).toBe(0);
  expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: handle.workflowId } } })).toBe(2); // the hold (posted) and the burn
});

it('once claimed only an admin force-release ends a withdrawal without the game: everything back, the game refused after', async () => {
  const { user, sp } = await setup('force', 80n, 1);
  // Long enough for the claim to come first on a loaded machine; the test then waits for the timer itself.
  const handle = await env.startWithdraw({ userId: user, gems: '80', pets: [{ speciesId: sp.id, variant: 'shiny', quantity: 1 }], timeoutSeconds: 3 });
  const id = handle.workflowId.slice('withdraw:'.length);
  await waiting(handle);
  expect((await env.client().request('POST', `/roblox/v1/withdrawals/${id}/claim`)).status).toBe(200);
  // The timeout no longer applies once the game is delivering: once its timer is settled (cancelled by the
  // claim, or fired) and its time has passed, the withdrawal is still being delivered.
  const { expiresAt } = await handle.query(withdrawStatusQuery);
  await waitFor(
    () => handle.fetchHistory().then((h) => h.events?.some((e) => e.timerCanceledEventAttributes || e.timerFiredEventAttributes) === true),
    (settled) => settled && Date.now() > Date.parse(expiresAt!),
    15_000,
  );
  expect((await handle.query(withdrawStatusQuery)).status).toBe('delivering');
  await expect(handle.executeUpdate(cancelWithdrawalUpdate, { args: [{ by: user }] })).rejects.toThrow(WorkflowUpdateFailedError);
  expect(await handle.executeUpdate(cancelWithdrawalUpdate, { args: [{ by: 'admin', force: true }] })).toEqual({ outcome: 'cancelled' });
  expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'Released by an admin.' });
  expect(await env.gems(user)).toEqual({ balance: 80n, held: 0n, available: 80n });
  expect(await env.pets(user, sp.id, 'shiny')).toBe(1);
  const late = await env.client().request('POST', `/roblox/v1/withdrawals/${id}/confirm`, { delivered: { gems: 80 } });
  expect(late.status).toBe(409);
});
