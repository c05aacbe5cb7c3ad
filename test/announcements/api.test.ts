import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { createLogger } from '../../lib/logger';
import { fund, startShopEnv, type ShopEnv } from '../shop/helpers';
import { eventually, FAST_SYNC, syncRow, endFlows } from '../sync/helpers';
import { flowExists, sendsOf } from './helpers';

/** The announcement and sync APIs over HTTP, with a worker running the flows against the fake Discord. */
jest.setTimeout(60_000);

let env: ShopEnv;
let server: Server;
let base: string;
const tokens: Record<'mod' | 'admin', string> = { mod: '', admin: '' };

beforeAll(async () => {
  env = await startShopEnv();
  await env.startWorker();
  for (const level of ['mod', 'admin'] as const) {
    tokens[level] = (await createApiToken(env.prisma, { guildId: env.demo.guild.id, name: level, level, createdBy: 'cli', creatorLevel: 'owner' })).token;
  }
  const app = createApp({ prisma: env.prisma, log: createLogger({ level: 'silent' }), readiness: [], temporal: env.temporal.client, taskQueue: env.taskQueue, syncSettings: FAST_SYNC, guildDirectory: createGuildDirectory(env.rest) });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${env.demo.guild.id}`;
});
afterAll(async () => {
  if (server) await new Promise((r) => server.close(r));
  if (env) await endFlows(env);
  await env?.close();
});

async function call(method: string, path: string, body?: unknown, token = tokens.admin) {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

const channel = () => env.demo.channels.general;

it('preview returns exactly the message and stores nothing', async () => {
  const before = await env.prisma.announcement.count();
  const r = await call('POST', '/announcements/preview', { channelId: channel(), title: 'Peek', body: 'Only a look.', colour: '#112233' });
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ channelId: channel(), message: { content: '', embeds: [{ title: 'Peek', description: 'Only a look.', color: 0x112233 }] } });
  expect(await env.prisma.announcement.count()).toBe(before);
});

it('create (sent now) → 201, posted; the same id again finds the first; GET shows the message state', async () => {
  const r = await call('POST', '/announcements', { id: 'api-news-1', channelId: channel(), title: 'API news', body: 'From the dashboard.' });
  expect(r.status).toBe(201);
  expect(r.body).toMatchObject({ id: 'api-news-1', status: 'scheduled', createdBy: expect.stringMatching(/^token:/) });
  const again = await call('POST', '/announcements', { id: 'api-news-1', channelId: channel(), title: 'API news', body: 'From the dashboard.' });
  expect(again.status).toBe(201);
  const row = await eventually(async () => {
    const s = await syncRow(env, 'announcement', 'api-news-1');
    return s?.state === 'synced' ? s : null;
  }, 'the post');
  expect(env.discord.messages(channel()).filter((m) => m.embeds[0]?.title === 'API news')).toHaveLength(1);
  const got = await call('GET', '/announcements/api-news-1', undefined, tokens.mod);
  expect(got.body).toMatchObject({ status: 'sent', sync: { state: 'synced', messageId: row.messageId, channelId: channel() } });
  const list = await call('GET', '/announcements?status=sent', undefined, tokens.mod);
  expect((list.body.items as { id: string }[]).map((a) => a.id)).toContain('api-news-1');

  expect((await call('PATCH', '/announcements/api-news-1', { body: 'Edited.' })).status).toBe(200);
  await eventually(() => env.discord.message(row.messageId!)?.embeds[0]?.description === 'Edited.', 'the edit');
  const down = await call('DELETE', '/announcements/api-news-1');
  expect(down.body).toMatchObject({ status: 'deleted' });
  await eventually(() => !env.discord.message(row.messageId!), 'the take-down');
  const conflict = await call('PATCH', '/announcements/api-news-1', { body: 'Again.' });
  expect(conflict.status).toBe(409);
  expect(conflict.body.error!.message).toBe('This announcement is deleted; it can no longer be edited.');
});

it('scheduled, then cancelled through the API: never sent', async () => {
  const r = await call('POST', '/announcements', { id: 'api-later', channelId: channel(), title: 'API later', body: 'x', sendAt: new Date(Date.now() + 2000).toISOString() });
  expect(r.status).toBe(201);
  expect((await call('DELETE', '/announcements/api-later')).body).toMatchObject({ status: 'cancelled' });
  // The flow ends cancelled without handing the message to a sync flow: nothing can be posted later.
  expect(await env.temporal.client.workflow.getHandle('announcement:api-later').result()).toMatchObject({ status: 'cancelled' });
  expect(await sendsOf(env.temporal.client, 'api-later')).toBe(0);
  expect(await flowExists(env.temporal.client, 'sync:announcement:api-later', env.taskQueue)).toBe(false);
  expect(env.discord.messages(channel()).filter((m) => m.embeds[0]?.title === 'API later')).toHaveLength(0);
});

it('bad input: a 400 that says what is wrong, and nothing stored', async () => {
  const before = await env.prisma.announcement.count();
  const cases: [unknown, RegExp][] = [
    [{ channelId: channel(), title: 'x' }, /body/],
    [{ channelId: channel(), title: 'x', body: 'y', colour: 'blue' }, /six hex digits/],
    [{ channelId: channel(), title: 'x', body: 'y', sendAt: 'soonish' }, /sendAt/],
    [{ channelId: channel(), title: 'x', body: 'y', extra: 1 }, /extra|Unrecognized/i],
  ];
  for (const [body, message] of cases) {
    const r = await call('POST', '/announcements', body);
    expect(r.status).toBe(400);
    expect(r.body.error!.message).toMatch(message);
  }
  expect(await env.prisma.announcement.count()).toBe(before);
  expect((await call('GET', '/announcements/nope')).status).toBe(404);
});

it('sync API: set the leaderboard channel → the panel is posted and listed; remove it → the panel is deleted', async () => {
  const u = env.discord.createUser({ username: 'api-top' });
  env.discord.addMember(env.demo.guild.id, u.id);
  await fund(env, u.id, 77n);
  const bad = await call('PUT', '/sync/channels/leaderboard', { channelId: 'x' });
  expect(bad.status).toBe(400);
  const set = await call('PUT', '/sync/channels/leaderboard', { channelId: channel(), size: 3 });
  expect(set.status).toBe(200);
  expect(set.body).toMatchObject({ entityType: 'leaderboard', channelId: channel(), options: { asset: 'currency', size: 3 }, flowsWoken: 1 });
  const entityId = `${env.demo.guild.id}:currency`;
  const row = await eventually(async () => {
    const s = await syncRow(env, 'leaderboard', entityId);
    return s?.state === 'synced' ? s : null;
  }, 'the panel');
  expect(env.discord.message(row.messageId!)!.embeds[0]!.description).toContain(`<@${u.id}>`);
  const listed = await call('GET', '/sync?entityType=leaderboard', undefined, tokens.mod);
  expect(listed.body.items).toEqual([expect.objectContaining({ entityId, state: 'synced', workflowId: `sync:leaderboard:${entityId}` })]);
  expect((await call('DELETE', '/sync/channels/leaderboard')).status).toBe(204);
  await eventually(async () => (await syncRow(env, 'leaderboard', entityId))?.state === 'deleted', 'the panel deleted');
  expect(env.discord.message(row.messageId!)).toBeFalsy();
  expect((await call('DELETE', '/sync/channels/leaderboard')).status).toBe(404);
});

it('lists page by cursor: limit items, then nextCursor continues where the page ended (null on the last page)', async () => {
  const guildId = env.demo.guild.id;
  const ids = ['page-a', 'page-b', 'page-c'];
  for (const [i, id] of ids.entries()) {
    await env.prisma.announcement.create({
      data: { id, guildId, channelId: channel(), title: `Page ${id}`, body: 'Paged.', createdBy: 'test', status: 'draft', createdAt: new Date(Date.UTC(2020, 0, 1 + i)) },
    });
  }
  const first = await call('GET', '/announcements?status=draft&limit=2', undefined, tokens.mod);
  const firstIds = (first.body.items as { id: string }[]).map((a) => a.id);
  expect(firstIds).toHaveLength(2);
  expect(typeof first.body.nextCursor).toBe('string');
  const rest: string[] = [];
  let cursor = first.body.nextCursor as string | null;
  while (cursor) {
    const page = await call('GET', `/announcements?status=draft&limit=2&cursor=${encodeURIComponent(cursor)}`, undefined, tokens.mod);
    rest.push(...(page.body.items as { id: string }[]).map((a) => a.id));
    cursor = page.body.nextCursor as string | null;
  }
  const all = [...firstIds, ...rest];
  expect(new Set(all).size).toBe(all.length);
  expect(all.filter((id) => ids.includes(id))).toEqual(['page-c', 'page-b', 'page-a']);
  expect((await call('GET', '/announcements?cursor=nonsense', undefined, tokens.mod)).status).toBe(400);
});

it('without Temporal, changes answer 503 temporal_unavailable and store nothing', async () => {
  const app = createApp({ prisma: env.prisma, log: createLogger({ level: 'silent' }), readiness: [] });
  const bare = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const at = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/api/guilds/${env.demo.guild.id}`;
    const post = (path: string, method: string, body: unknown) =>
      fetch(at + path, { method, headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post('/announcements', 'POST', { id: 'no-temporal', channelId: channel(), title: 'Never', body: 'Not sent.' });
    expect(created.status).toBe(503);
    expect(((await created.json()) as { error: { code: string } }).error.code).toBe('temporal_unavailable');
    expect(await env.prisma.announcement.findUnique({ where: { id: 'no-temporal' } })).toBeNull();
    const sync = await post('/sync/channels/shop_item', 'PUT', { channelId: channel() });
    expect(sync.status).toBe(503);
    expect(((await sync.json()) as { error: { code: string } }).error.code).toBe('temporal_unavailable');
  } finally {
    await new Promise((r) => bare.close(r));
  }
});
