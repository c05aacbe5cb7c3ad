import { Routes } from 'discord.js';
import { startBot, type RunningBot } from '../../bot/run';
import { GUILDFLOW_VERSION } from '../../lib/bot-status';
import { createLogger } from '../../lib/logger';
import { saveMembers } from '../../lib/member-directory';
import { waitFor } from '../../lib/wait';
import { testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { startDashEnv, type DashEnv, type Json } from './helpers';

/**
 * The production bot against the fake Discord fills the member directory (the list at READY, then joins,
 * nickname changes and leaves, each a gateway event) and reports its shard's heartbeat, which
 * GET …/members and …/bot-status answer from; a stale heartbeat or a stopped bot is connected:false.
 */
jest.setTimeout(90_000);

let env: DashEnv;
let temporal: TestTemporal;
let bot: RunningBot | undefined;
const WAIT = { timeoutMs: 30_000, intervalMs: 100 };
const row = (userId: string) => env.prisma.member.findUnique({ where: { guildId_userId: { guildId: env.guildId, userId } } });

beforeAll(async () => {
  env = await startDashEnv();
  temporal = await testTemporal();
});
afterAll(async () => {
  await bot?.stop();
  await temporal?.close();
  await env?.close();
});

it('before any bot reported: not connected, no shard', async () => {
  const res = await env.api('GET', '/bot-status', { token: env.tokens.mod });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ connected: false, stale: true, shard: null, lastHeartbeatAt: null, apiVersion: GUILDFLOW_VERSION });
});

it('the bot stores the member list at READY and marks members it no longer sees as left', async () => {
  // A member stored earlier who is no longer in the guild.
  await saveMembers(env.prisma, env.guildId, [{ userId: '777777777777777777', username: 'ghost', displayName: 'Ghost', avatarUrl: null, isBot: false, joinedAt: null }]);
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  bot = await startBot({ DISCORD_API_URL: env.discord.restUrl, DISCORD_TOKEN: env.discord.token }, { prisma: env.prisma, temporal: temporal.client, taskQueue: uniqueTaskQueue('dash'), log });
  await waitFor(async () => (await row(env.demo.member.id)) && (await row('777777777777777777'))?.leftAt, { ...WAIT, what: 'the member list stored' });
  expect(await row(env.demo.member.id)).toMatchObject({ username: 'demo-member', displayName: 'Mia Member', isBot: false, leftAt: null, avatarUrl: expect.stringMatching(/^https:\/\//) });
  expect(await row(env.discord.botUser.id)).toMatchObject({ isBot: true });
  const listed = await env.api('GET', '/members?search=mia', { token: env.tokens.mod });
  expect(listed.body.members.map((m: Json) => m.userId)).toEqual([env.demo.member.id]);
  expect((await env.api('GET', '/members?search=ghost', { token: env.tokens.mod })).body.members).toEqual([]);
});

it('joins, nickname changes and leaves reach the directory', async () => {
  const newcomer = env.discord.createUser({ username: 'newcomer', globalName: 'New Comer' });
  env.discord.addMember(env.guildId, newcomer.id);
  await waitFor(async () => (await row(newcomer.id))?.displayName === 'New Comer', { ...WAIT, what: 'the join stored' });
  await env.rest.patch(Routes.guildMember(env.guildId, newcomer.id), { body: { nick: 'Nicky' } });
  await waitFor(async () => (await row(newcomer.id))?.displayName === 'Nicky', { ...WAIT, what: 'the nickname stored' });
  expect((await env.api('GET', '/members?search=nick', { token: env.tokens.mod })).body.members.map((m: Json) => m.userId)).toEqual([newcomer.id]);
  env.discord.removeMember(env.guildId, newcomer.id);
  await waitFor(async () => (await row(newcomer.id))?.leftAt, { ...WAIT, what: 'the leave stored' });
  expect((await env.api('GET', '/members?search=nick', { token: env.tokens.mod })).body.members).toEqual([]);
});

it('bot-status: connected with its shard and version; a stale heartbeat is not connected; a stopped bot says so', async () => {
  const status = await waitFor(async () => {
    const res = await env.api('GET', '/bot-status', { token: env.tokens.mod });
    return res.body.connected ? res.body : null;
  }, { ...WAIT, what: 'the bot reported connected' });
  expect(status).toMatchObject({ connected: true, stale: false, shard: { id: 0, count: 1 }, botVersion: GUILDFLOW_VERSION, apiVersion: GUILDFLOW_VERSION });
  expect(status.heartbeatAgeMs).toBeLessThan(status.staleAfterMs);
  expect(status.pingMs === null || typeof status.pingMs === 'number').toBe(true);

  // The bot's process freezes: its last heartbeat grows old.
  await env.prisma.botShardStatus.updateMany({ data: { heartbeatAt: new Date(Date.now() - 5 * 60_000) } });
  const stale = await env.api('GET', '/bot-status', { token: env.tokens.mod });
  expect(stale.body).toMatchObject({ connected: false, stale: true, shard: { id: 0, count: 1 } });
  expect(stale.body.heartbeatAgeMs).toBeGreaterThan(stale.body.staleAfterMs);

  await bot!.stop();
  bot = undefined;
  const stopped = await env.api('GET', '/bot-status', { token: env.tokens.mod });
  expect(stopped.body).toMatchObject({ connected: false, stale: false });
  expect((await env.api('GET', '/bot-status', { token: env.tokens.user })).status).toBe(403);
});
