import { registerGame } from '../../activities/trades';
import { depositFlow, depositId, type DepositInput } from '../../lib/flows/trades';
import type { deposit } from '../../workflows/deposit';
import { member, newId, startTradeEnv, type TradeEnv } from './helpers';

/**
 * What a deposit can create: only what a game reported through the signed API (a deposit flow started
 * from the Temporal UI or CLI credits nothing), and per game at most its daily cap, counted atomically.
 */
let env: TradeEnv;

beforeAll(async () => {
  env = await startTradeEnv();
  await env.startWorker();
});
afterAll(async () => {
  await env?.close();
});

const body = (json: unknown) => json as { status: string; reason?: string; message?: string; depositId?: string };
/** A game of its own, so its daily totals start at zero; `cap` sets its daily gem cap. */
async function newGame(cap?: { gems?: bigint; pets?: number }) {
  const g = await registerGame(env.prisma, env.keyring, { guildId: env.demo.guild.id, name: `Cap test ${newId()}` }, { actorType: 'user', actorId: 'discord:test-admin' });
  if (cap) await env.prisma.robloxGame.update({ where: { id: g.id }, data: { maxDailyDepositGems: cap.gems ?? null, maxDailyDepositPets: cap.pets ?? null } });
  return env.client({ gameId: g.id, secret: g.secret });
}
const depositEntries = (id: string) => env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `deposit:${id}` } } });

it('a deposit flow started from Temporal (UI/CLI), not through the signed game API, credits nothing', async () => {
  const user = member(env, 'forger');
  const robloxId = await env.link(user);
  const tradeId = `forged-${newId()}`;
  const id = depositId(env.game.id, tradeId);
  const forged: DepositInput = { depositId: id, guildId: env.demo.guild.id, gameId: env.game.id, tradeId, robloxUserId: String(robloxId), gems: '50000', pets: [] };
  const result = await env.temporal.client.workflow.execute<typeof deposit>('deposit', { taskQueue: env.taskQueue, workflowId: depositFlow.id(id), args: [forged] });
  expect(result).toMatchObject({ status: 'refused', reason: 'not_reported' });
  expect(await env.gems(user)).toEqual({ balance: 0n, held: 0n, available: 0n });
  expect(await depositEntries(id)).toBe(0);
  expect(await env.prisma.gameDeposit.findUnique({ where: { id } })).toBeNull();
});

it('a deposit flow started with more than the game reported credits nothing; the game still gets its own answer', async () => {
  const user = member(env, 'inflater');
  const robloxId = await env.link(user);
  const tradeId = `inflated-${newId()}`;
  const id = depositId(env.game.id, tradeId);
  // The game reports 10 gems, but its flow is not running yet (Temporal was away): someone starts it with 10 000.
  await env.prisma.gameDeposit.create({ data: { id, guildId: env.demo.guild.id, gameId: env.game.id, tradeId, robloxId, gems: 10n, pets: [] } });
  const inflated: DepositInput = { depositId: id, guildId: env.demo.guild.id, gameId: env.game.id, tradeId, robloxUserId: String(robloxId), gems: '10000', pets: [] };
  const result = await env.temporal.client.workflow.execute<typeof deposit>('deposit', { taskQueue: env.taskQueue, workflowId: depositFlow.id(id), args: [inflated] });
  expect(result).toMatchObject({ status: 'refused', reason: 'not_reported' });
  expect(await env.gems(user)).toEqual({ balance: 0n, held: 0n, available: 0n });
  expect(await depositEntries(id)).toBe(0);
});

it('the same trade id reported again with other contents is refused (409); the first report stands', async () => {
  const user = member(env, 'rewriter');
  const robloxId = await env.link(user);
  const tradeId = `t-${newId()}`;
  const first = await env.client().request('POST', '/roblox/v1/deposits', { tradeId, robloxUserId: String(robloxId), gems: 30 });
  expect(body(first.json)).toMatchObject({ status: 'credited' });
  const second = await env.client().request('POST', '/roblox/v1/deposits', { tradeId, robloxUserId: String(robloxId), gems: 30_000 });
  expect(second.status).toBe(409);
  expect((second.json as { error: { code: string } }).error.code).toBe('trade_state');
  expect((await env.gems(user)).balance).toBe(30n);
});

it('a deposit beyond the game\'s daily cap is refused with daily_cap, nothing credited; other games are not affected', async () => {
  const user = member(env, 'capped');
  const robloxId = String(await env.link(user));
  const capped = await newGame({ gems: 1000n });
  const ok = await capped.request('POST', '/roblox/v1/deposits', { tradeId: `t-${newId()}`, robloxUserId: robloxId, gems: 600 });
  expect(body(ok.json)).toMatchObject({ status: 'credited' });
  const over = await capped.request('POST', '/roblox/v1/deposits', { tradeId: `t-${newId()}`, robloxUserId: robloxId, gems: 401 });
  expect(over.status).toBe(422);
  expect(body(over.json)).toMatchObject({ status: 'refused', reason: 'daily_cap' });
  expect(body(over.json).message).toMatch(/daily deposit cap \(1000 gems .*; 400 gems and \d+ pets left today\): nothing was deposited/);
  expect(await depositEntries(body(over.json).depositId!)).toBe(0);
  expect((await env.gems(user)).balance).toBe(600n);
  // Exactly the room left still fits; the refused one did not use any.
  const rest = await capped.request('POST', '/roblox/v1/deposits', { tradeId: `t-${newId()}`, robloxUserId: robloxId, gems: 400 });
  expect(body(rest.json)).toMatchObject({ status: 'credited' });
  // Another game of the same server has its own (default) cap.
  const other = await (await newGame()).request('POST', '/roblox/v1/deposits', { tradeId: `t-${newId()}`, robloxUserId: robloxId, gems: 5000 });
  expect(body(other.json)).toMatchObject({ status: 'credited' });
  expect((await env.gems(user)).balance).toBe(6000n);
});

it('the daily pet cap counts pets the same way', async () => {
  const user = member(env, 'pet-capped');
  const robloxId = String(await env.link(user));
  const cat = await env.species(`cat${newId()}`);
  const capped = await newGame({ pets: 3 });
  const ok = await capped.request('POST', '/roblox/v1/deposits', { tradeId: `t-${newId()}`, robloxUserId: robloxId, pets: [{ species: cat.key, variant: 'normal', quantity: 2 }] });
  expect(body(ok.json)).toMatchObject({ status: 'credited' });
  const over = await capped.request('POST', '/roblox/v1/deposits', { tradeId: `t-${newId()}`, robloxUserId: robloxId, pets: [{ species: cat.key, variant: 'shiny', quantity: 2 }] });
  expect(body(over.json)).toMatchObject({ status: 'refused', reason: 'daily_cap' });
  expect(await env.pets(user, cat.id, 'normal')).toBe(2);
  expect(await env.pets(user, cat.id, 'shiny')).toBe(0);
});

it('two concurrent deposits cannot both take the last room under the cap', async () => {
  const user = member(env, 'racer');
  const robloxId = String(await env.link(user));
  for (let round = 0; round < 3; round++) {
    const capped = await newGame({ gems: 1000n });
    const answers = await Promise.all([600, 600, 600, 600].map((gems) => capped.request('POST', '/roblox/v1/deposits', { tradeId: `t-${newId()}`, robloxUserId: robloxId, gems })));
    expect(answers.map((a) => body(a.json).status).sort()).toEqual(['credited', 'refused', 'refused', 'refused']);
    expect(answers.filter((a) => body(a.json).status === 'refused').every((a) => body(a.json).reason === 'daily_cap')).toBe(true);
  }
  expect((await env.gems(user)).balance).toBe(1800n);
});

it('with trades switched off, a new deposit is refused (409 feature_disabled) and nothing is recorded; one already reported gets its answer', async () => {
  const user = member(env, 'switched-off');
  const robloxId = await env.link(user);
  const earlier = `t-${newId()}`;
  const deposit = (tradeId: string) => env.client().request('POST', '/roblox/v1/deposits', { tradeId, robloxUserId: String(robloxId), gems: 40 });
  expect(body((await deposit(earlier)).json)).toMatchObject({ status: 'credited' });
  const guildId = env.demo.guild.id;
  await env.prisma.guildSettings.upsert({ where: { guildId }, create: { guildId, disabledFeatures: ['trades'] }, update: { disabledFeatures: ['trades'] } });
  try {
    const tradeId = `t-${newId()}`;
    const refused = await deposit(tradeId);
    expect(refused.status).toBe(409);
    expect((refused.json as { error: { code: string; details: unknown } }).error).toMatchObject({ code: 'feature_disabled', details: { feature: 'trades' } });
    expect(await env.prisma.gameDeposit.findUnique({ where: { id: depositId(env.game.id, tradeId) } })).toBeNull();
    // The game retrying a deposit it reported before the switch gets the same answer.
    expect(body((await deposit(earlier)).json)).toMatchObject({ status: 'credited' });
    expect((await env.gems(user)).balance).toBe(40n);
  } finally {
    await env.prisma.guildSettings.update({ where: { guildId }, data: { disabledFeatures: [] } });
  }
});
