import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { claimTask, createTask, getTaskSettings } from '../../activities/tasks';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { startAnnouncement } from '../../lib/flows/announcements.client';
import { DISCORD_FAILURES } from '../../lib/flows/discord';
import { verifyWorkflowId } from '../../lib/flows/verify';
import { createLogger } from '../../lib/logger';
import type { FakeChannel, FakeGuild, FakeRole, FakeUser } from '../fakes/discord';
import { ADMIN_ACTOR, startShopEnv, type ShopEnv } from '../shop/helpers';
import { endFlows, eventually, FAST_SYNC, signal, syncRow } from '../sync/helpers';

/**
 * Guild scope: an admin token of guild A cannot point any channel or role field at guild B (checked
 * against the fake Discord through the guild directory), and rows that already point into B (written
 * before the check existed) make the posting activities post nothing there.
 */
jest.setTimeout(90_000);

let env: ShopEnv;
let server: Server;
let base: string;
let token: string;
let guildA: string;
let b: { guild: FakeGuild; channel: FakeChannel; role: FakeRole; member: FakeUser };
const log = createLogger({ level: 'silent' });

beforeAll(async () => {
  env = await startShopEnv();
  await env.startWorker();
  guildA = env.demo.guild.id;
  token = (await createApiToken(env.prisma, { guildId: guildA, name: 'admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
  const guild = env.discord.createGuild({ name: 'B' });
  const member = env.discord.createUser({ username: 'only-in-b' });
  env.discord.addMember(guild.id, member.id);
  b = { guild, channel: env.discord.createChannel(guild.id, { name: 'b-news' }), role: env.discord.createRole(guild.id, { name: 'B ping' }), member };
  const app = createApp({ prisma: env.prisma, log, readiness: [], temporal: env.temporal.client, taskQueue: env.taskQueue, syncSettings: FAST_SYNC, guildDirectory: createGuildDirectory(env.rest) });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  if (server) await new Promise((r) => server.close(r));
  if (env) await endFlows(env);
  await env?.close();
});

async function call(method: string, path: string, body?: unknown, at = base) {
  const res = await fetch(`${at}/api/guilds/${guildA}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as { error?: { code: string; message: string; details?: { field: string } } } & Record<string, unknown> };
}

/** What the bot sent into guild B's channel (posts and edits). */
const writesIntoB = () => env.discord.requests().filter((r) => r.route.startsWith(`/channels/${b.channel.id}/messages`) && r.method !== 'GET');

describe('an admin token of guild A cannot point a field at guild B', () => {
  const refused = (r: Awaited<ReturnType<typeof call>>, field: string) => {
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'not_in_guild', details: { field } });
    expect(r.body.error!.message).toContain(field);
  };

  it('announcements: channelId and pingRoleId', async () => {
    refused(await call('POST', '/announcements', { id: 'into-b', channelId: b.channel.id, title: 'Hi B', body: 'x' }), 'channelId');
    refused(await call('POST', '/announcements', { id: 'ping-b', channelId: env.demo.channels.general, title: 'Hi', body: 'x', pingRoleId: b.role.id }), 'pingRoleId');
    refused(await call('POST', '/announcements/preview', { channelId: b.channel.id, title: 'Hi B', body: 'x' }), 'channelId');
    expect(await env.prisma.announcement.count({ where: { id: { in: ['into-b', 'ping-b'] } } })).toBe(0);
    const own = await call('POST', '/announcements', { id: 'draftish', channelId: env.demo.channels.general, title: 'Own', body: 'x', sendAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(own.status).toBe(201);
    refused(await call('PATCH', '/announcements/draftish', { pingRoleId: b.role.id }), 'pingRoleId');
    expect((await env.prisma.announcement.findUniqueOrThrow({ where: { id: 'draftish' } })).pingRoleId).toBeNull();
    expect((await call('DELETE', '/announcements/draftish')).status).toBe(200);
  });

  it('sync channels: leaderboard and shop_item', async () => {
    refused(await call('PUT', '/sync/channels/leaderboard', { channelId: b.channel.id }), 'channelId');
    refused(await call('PUT', '/sync/channels/shop_item', { channelId: b.channel.id }), 'channelId');
    expect(await env.prisma.syncChannel.count({ where: { guildId: guildA } })).toBe(0);
  });

  it('guild settings: adminLogChannelId and the role lists', async () => {
    const before = await env.prisma.guildSettings.findUniqueOrThrow({ where: { guildId: guildA } });
    refused(await call('PATCH', '/settings', { adminLogChannelId: b.channel.id }), 'adminLogChannelId');
    refused(await call('PATCH', '/settings', { modRoleIds: [env.demo.roles.mod.id, b.role.id] }), 'modRoleIds');
    refused(await call('PATCH', '/settings', { verifiedRoleId: b.role.id }), 'verifiedRoleId');
    expect(await env.prisma.guildSettings.findUniqueOrThrow({ where: { guildId: guildA } })).toEqual(before);
    expect(await env.prisma.auditEvent.count({ where: { guildId: guildA, action: 'guild_settings.updated' } })).toBe(0);
    const own = await call('PATCH', '/settings', { adminLogChannelId: env.demo.channels.adminLog.id, modRoleIds: [env.demo.roles.mod.id] });
    expect(own.status).toBe(200);
  });

  it('task settings: taskChannelId and reviewChannelId; a task reward role', async () => {
    const before = await getTaskSettings(env.prisma, guildA);
    refused(await call('PATCH', '/tasks/settings', { taskChannelId: b.channel.id }), 'taskChannelId');
    refused(await call('PATCH', '/tasks/settings', { reviewChannelId: b.channel.id, maxActivePerUser: 7 }), 'reviewChannelId');
    expect(await getTaskSettings(env.prisma, guildA)).toEqual(before);
    refused(await call('POST', '/tasks', { name: 'B role task', reward: 5, roleId: b.role.id }), 'roleId');
    expect(await env.prisma.task.count({ where: { guildId: guildA, name: 'B role task' } })).toBe(0);
    expect((await call('PATCH', '/tasks/settings', { taskChannelId: env.demo.channels.tasks.id })).status).toBe(200);
  });

  it('verification settings and shop item roles', async () => {
    refused(await call('PATCH', '/verify/settings', { unverifiedRoleId: b.role.id }), 'unverifiedRoleId');
    expect((await env.prisma.guildSettings.findUniqueOrThrow({ where: { guildId: guildA } })).unverifiedRoleId).toBeNull();
    refused(await call('POST', '/shop/items', { name: 'B role', price: 10, roleId: b.role.id }), 'roleId');
    refused(await call('POST', '/shop/items', { name: 'B gate', price: 10, requiredRoleId: b.role.id }), 'requiredRoleId');
    expect(await env.prisma.shopItem.count({ where: { guildId: guildA } })).toBe(0);
  });

  it('an unknown channel id is refused the same way', async () => {
    refused(await call('PUT', '/sync/channels/leaderboard', { channelId: '123456789012345678' }), 'channelId');
  });

  it('Discord unreachable: 503 and nothing written', async () => {
    const fresh = env.discord.createChannel(guildA, { name: 'not-yet-looked-up' });
    env.discord.inject({ method: 'GET', route: new RegExp(`/channels/${fresh.id}$`), status: 503, times: 10 });
    try {
      const r = await call('PUT', '/sync/channels/leaderboard', { channelId: fresh.id });
      expect(r.status).toBe(503);
      expect(r.body.error!.code).toBe('discord_unavailable');
      expect(await env.prisma.syncChannel.count({ where: { guildId: guildA } })).toBe(0);
    } finally {
      env.discord.clearFaults();
    }
  });

  it('an API without a Discord token refuses channel and role writes with 503, and still takes the others', async () => {
    const app = createApp({ prisma: env.prisma, log, readiness: [], temporal: env.temporal.client, taskQueue: env.taskQueue, syncSettings: FAST_SYNC });
    const bare = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const at = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
      const r = await call('PATCH', '/tasks/settings', { taskChannelId: env.demo.channels.tasks.id, maxActivePerUser: 9 }, at);
      expect(r.status).toBe(503);
      expect(r.body.error!.code).toBe('discord_unavailable');
      expect((await getTaskSettings(env.prisma, guildA)).maxActivePerUser).not.toBe(9);
      expect((await call('PATCH', '/tasks/settings', { maxActivePerUser: 9 }, at)).status).toBe(200);
    } finally {
      await new Promise((r) => bare.close(r));
    }
  });
});

describe('the verify API only DMs members of the guild', () => {
  it('refuses a user who is not a member: no flow, no DM', async () => {
    const r = await call('POST', '/verify/verifications', { userId: b.member.id, username: 'SomePlayer' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'not_in_guild', details: { field: 'userId' } });
    expect(r.body.error!.message).toMatch(/not a member of this server/);
    expect(await env.prisma.verification.count({ where: { guildId: guildA, userId: b.member.id } })).toBe(0);
    await expect(env.temporal.client.workflow.getHandle(verifyWorkflowId(guildA, b.member.id)).describe()).rejects.toThrow(/not found/i);
    expect(env.discord.dms(b.member.id)).toHaveLength(0);
  });
});

describe('rows that already point into guild B post nothing there', () => {
  it('an announcement of A whose channel and ping are B’s is not posted (orphaned, reason stored)', async () => {
    const a = await env.prisma.announcement.create({
      data: { id: 'leak-b', guildId: guildA, channelId: b.channel.id, pingRoleId: b.role.id, title: 'Leak', body: 'Should not reach B.', status: 'scheduled', createdBy: 'test' },
    });
    await startAnnouncement({ temporal: env.temporal.client, taskQueue: env.taskQueue }, { announcementId: a.id, guildId: guildA, sendAt: null, sync: FAST_SYNC });
    // Either outcome ends the wait: refused (orphaned) or posted (synced).
    const row = await eventually(async () => {
      const s = await syncRow(env, 'announcement', a.id);
      return s?.state === 'orphaned' || s?.state === 'synced' ? s : null;
    }, 'the announcement sync to decide');
    expect(row.state).toBe('orphaned');
    expect(row.lastError).toMatch(/is not a channel of this server/);
    expect(row.messageId).toBeNull();
    expect(writesIntoB()).toHaveLength(0);
    expect(env.discord.messages(b.channel.id)).toHaveLength(0);
  });

  it('an announcement of A in its own channel with B’s role as ping is posted without pinging that role', async () => {
    const general = env.demo.channels.general;
    await env.prisma.announcement.create({
      data: { id: 'ping-b-stored', guildId: guildA, channelId: general, pingRoleId: b.role.id, title: 'Own channel', body: 'Foreign ping.', status: 'scheduled', createdBy: 'test' },
    });
    await startAnnouncement({ temporal: env.temporal.client, taskQueue: env.taskQueue }, { announcementId: 'ping-b-stored', guildId: guildA, sendAt: null, sync: FAST_SYNC });
    const row = await eventually(async () => {
      const s = await syncRow(env, 'announcement', 'ping-b-stored');
      return s?.state === 'orphaned' || s?.state === 'synced' ? s : null;
    }, 'the announcement sync to decide');
    expect(row.state).toBe('synced');
    const post = env.discord.requests().find((r) => r.method === 'POST' && r.route === `/channels/${general}/messages` && JSON.stringify(r.body).includes('Foreign ping.'));
    expect((post?.body as { allowed_mentions?: { roles?: string[] } }).allowed_mentions?.roles).toEqual([]);
  });

  it('the leaderboard panel is not re-posted into B after B deletes it', async () => {
    const entityId = `${guildA}:currency`;
    await env.prisma.syncChannel.create({ data: { guildId: guildA, entityType: 'leaderboard', channelId: b.channel.id, options: { asset: 'currency', size: 10 } } });
    // The panel as a build without the check left it: posted in B, its id stored.
    const leaked = env.discord.postMessage(b.channel.id, env.demo.owner.id, 'leaderboard');
    await env.prisma.syncMessage.create({ data: { entityType: 'leaderboard', entityId, guildId: guildA, channelId: b.channel.id, messageId: leaked.id, state: 'synced', contentHash: 'older', creates: 1 } });
    env.discord.deleteMessage(b.channel.id, leaked.id);
    const before = writesIntoB().length;

    await signal(env, 'leaderboard', entityId);
    // Either outcome ends the wait: refused (orphaned) or posted again (another message id).
    const row = await eventually(async () => {
      const s = await syncRow(env, 'leaderboard', entityId);
      return s?.state === 'orphaned' || s?.messageId !== leaked.id ? s : null;
    }, 'the leaderboard sync to decide');
    expect(row.state).toBe('orphaned');
    expect(row.lastError).toMatch(/is not a channel of this server/);
    expect(writesIntoB()).toHaveLength(before);
    expect(env.discord.messages(b.channel.id)).toHaveLength(0);
    await env.prisma.syncChannel.delete({ where: { guildId_entityType: { guildId: guildA, entityType: 'leaderboard' } } });
  });

  it('task post, review post and admin log: a channel of B fails for good (DiscordNotInGuild) and posts nothing', async () => {
    const acts = createActivities({ prisma: env.prisma, log, discord: env.rest });
    const failureOf = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => (err instanceof ApplicationFailure ? { type: err.type, nonRetryable: err.nonRetryable, message: err.message } : err));
    const notInGuild = { type: DISCORD_FAILURES.notInGuild, nonRetryable: true, message: expect.stringContaining('is not a channel of this server') };

    await getTaskSettings(env.prisma, guildA);
    await env.prisma.taskSettings.update({ where: { guildId: guildA }, data: { taskChannelId: b.channel.id, reviewChannelId: b.channel.id } });
    const task = await createTask(env.prisma, guildA, { name: 'Leaky task', reward: 5 }, { ...ADMIN_ACTOR, createdBy: 'test' });
    expect(await failureOf(acts.taskSyncMessage({ taskId: task.id }))).toEqual(notInGuild);
    expect((await env.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).messageId).toBeNull();
    const claimId = `task:${task.id}:${env.demo.member.id}`;
    expect(await claimTask(env.prisma, { claimId, guildId: guildA, taskId: task.id, userId: env.demo.member.id })).toMatchObject({ ok: true });
    expect(await failureOf(acts.taskPostReview({ claimId }))).toEqual(notInGuild);
    expect((await env.prisma.taskClaim.findUniqueOrThrow({ where: { id: claimId } })).reviewMessageId).toBeNull();

    await env.prisma.guildSettings.update({ where: { guildId: guildA }, data: { adminLogChannelId: b.channel.id } });
    expect(await failureOf(acts.discordPostAdminLog({ guildId: guildA, message: { content: 'admin only' } }))).toEqual(notInGuild);

    expect(writesIntoB()).toHaveLength(0);
    await env.prisma.guildSettings.update({ where: { guildId: guildA }, data: { adminLogChannelId: env.demo.channels.adminLog.id } });
  });
});
