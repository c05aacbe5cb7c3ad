import { depositStatusQuery } from '../../lib/flows/trades';
import { member, newId, newRobloxId, startTradeEnv, type TradeEnv } from './helpers';

/**
 * Deposits through the signed API, run by the real deposit workflow on a real worker: credited once
 * (ten identical concurrent reports → one flow, one ledger credit, one pet movement batch, one DM),
 * refusals carry a reason code the game shows and change nothing.
 */
let env: TradeEnv;

beforeAll(async () => {
  env = await startTradeEnv();
  await env.startWorker();
});
afterAll(async () => {
  await env?.close();
});

const body = (json: unknown) => json as { status: string; reason?: string; message?: string; depositId?: string; discordUserId?: string };

it('credits the same deposit reported 10× concurrently exactly once, and DMs one receipt', async () => {
  const user = member(env, 'depositor');
  const robloxId = await env.link(user);
  const dragon = await env.species(`dragon${newId()}`, 500n, 'legendary');
  const tradeId = `t-${newId()}`;
  const report = { tradeId, robloxUserId: String(robloxId), serverId: 'srv-1', gems: 250, pets: [{ species: dragon.key, variant: 'shiny', quantity: 2 }, { species: dragon.key, variant: 'normal', quantity: 1 }] };
  const results = await Promise.all(Array.from({ length: 10 }, () => env.client().request('POST', '/roblox/v1/deposits', report)));
  expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
  for (const r of results) expect(body(r.json)).toEqual({ status: 'credited', depositId: `${env.game.id}:${tradeId}`, discordUserId: user });

  expect(await env.gems(user)).toEqual({ balance: 250n, held: 0n, available: 250n });
  expect(await env.pets(user, dragon.id, 'shiny')).toBe(2);
  expect(await env.pets(user, dragon.id, 'normal')).toBe(1);
  const entries = await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `deposit:${env.game.id}:${tradeId}` } } });
  expect(entries).toBe(1);
  expect(await env.prisma.petMovement.count({ where: { idempotencyKey: { startsWith: `deposit:${env.game.id}:${tradeId}` } } })).toBe(2);
  const row = await env.prisma.gameDeposit.findUniqueOrThrow({ where: { id: `${env.game.id}:${tradeId}` } });
  expect(row).toMatchObject({ status: 'credited', userId: user, gems: 250n, robloxId });
  await env.discord.waitFor(() => env.discord.dms(user).length >= 1, 10_000, 'receipt DM');
  const dms = env.discord.dms(user);
  expect(dms).toHaveLength(1);
  expect(dms[0]!.embeds?.[0]?.title).toBe('Deposit received');
  expect(dms[0]!.embeds?.[0]?.description).toContain('2 × Shiny ');
  expect(dms[0]!.embeds?.[0]?.description).toContain('250');

  // Reported again later (a game retrying after a lost answer): same answer, nothing more.
  const again = await env.client().request('POST', '/roblox/v1/deposits', report);
  expect(body(again.json).status).toBe('credited');
  expect((await env.gems(user)).balance).toBe(250n);
  const handle = env.temporal.client.workflow.getHandle(`deposit:${env.game.id}:${tradeId}`);
  expect((await handle.query(depositStatusQuery)).status).toBe('credited');
  expect((await env.ledger.validate(env.demo.guild.id)).ok).toBe(true);
});

it('refuses a deposit from an unlinked Roblox player with a reason the game can show; nothing credited', async () => {
  const robloxId = newRobloxId();
  const cat = await env.species(`cat${newId()}`);
  const before = await env.prisma.petMovement.count();
  const res = await env.client().request('POST', '/roblox/v1/deposits', { tradeId: `t-${newId()}`, robloxUserId: String(robloxId), gems: 10, pets: [{ species: cat.key, variant: 'normal', quantity: 1 }] });
  expect(res.status).toBe(422);
  expect(body(res.json)).toMatchObject({ status: 'refused', reason: 'not_linked', message: 'Link your Roblox account in Discord with /verify first.' });
  expect(await env.prisma.petMovement.count()).toBe(before);
  expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `deposit:${body(res.json).depositId}` } } })).toBe(0);
});

it('refuses unknown pets and deposits over the limit; nothing credited', async () => {
  const user = member(env, 'limits');
  const robloxId = await env.link(user);
  const unknown = await env.client().request('POST', '/roblox/v1/deposits', { tradeId: `t-${newId()}`, robloxUserId: String(robloxId), pets: [{ species: 'no-such-pet', quantity: 1 }] });
  expect(unknown.status).toBe(422);
  expect(body(unknown.json)).toMatchObject({ status: 'refused', reason: 'unknown_pet' });
  await env.prisma.tradeSettings.upsert({ where: { guildId: env.demo.guild.id }, create: { guildId: env.demo.guild.id, maxDepositGems: 1000n }, update: { maxDepositGems: 1000n } });
  try {
    const over = await env.client().request('POST', '/roblox/v1/deposits', { tradeId: `t-${newId()}`, robloxUserId: String(robloxId), gems: 1001 });
    expect(body(over.json)).toMatchObject({ status: 'refused', reason: 'over_limit', message: 'At most 1000 gems per deposit.' });
  } finally {
    await env.prisma.tradeSettings.delete({ where: { guildId: env.demo.guild.id } });
  }
  expect(await env.gems(user)).toEqual({ balance: 0n, held: 0n, available: 0n });
  const bad = await env.client().request('POST', '/roblox/v1/deposits', { tradeId: 'bad id!', robloxUserId: 'x' });
  expect(bad.status).toBe(400);
});
