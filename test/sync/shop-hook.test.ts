import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createLogger } from '../../lib/logger';
import { startShopEnv, type ShopEnv } from '../shop/helpers';
import { eventually, FAST_SYNC, flowHandle, syncRow, useChannel, endFlows } from './helpers';

/**
 * The shop's hook into the message sync (activities/sync/shop-hook.ts), through the shop API: an item
 * added, edited and removed gets its post created, edited and deleted — only in a guild with a shop
 * channel.
 */
jest.setTimeout(60_000);

let env: ShopEnv;
let server: Server;
let base: string;
let token: string;

beforeAll(async () => {
  env = await startShopEnv();
  await env.startWorker();
  token = (await createApiToken(env.prisma, { guildId: env.demo.guild.id, name: 'admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
  const app = createApp({ prisma: env.prisma, log: createLogger({ level: 'silent' }), readiness: [], temporal: env.temporal.client, taskQueue: env.taskQueue, syncSettings: FAST_SYNC });
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

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as Record<string, unknown>) };
};

it('without a shop channel, items get no post', async () => {
  const created = await call('POST', '/shop/items', { name: 'Hook unposted', price: '5' });
  expect(created.status).toBe(201);
  // The hook runs before the answer: no flow was started here (item ids repeat across test files on the
  // run's one Temporal server, so a flow of another file's task queue may exist), so nothing posts later.
  const flow = await flowHandle(env, 'shop_item', String(created.body!.id))
    .describe()
    .catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    });
  expect(flow?.taskQueue === env.taskQueue).toBe(false);
  expect(await syncRow(env, 'shop_item', String(created.body!.id))).toBeNull();
});

it('with one: add → posted, edit → edited, remove → deleted; the sync API shows the state', async () => {
  const shop = env.demo.channels.shop.id;
  await useChannel(env, 'shop_item', shop);
  const created = await call('POST', '/shop/items', { name: 'Hook sword', price: '12', stock: 4 });
  const id = String(created.body!.id);
  const row = await eventually(async () => {
    const r = await syncRow(env, 'shop_item', id);
    return r?.state === 'synced' ? r : null;
  }, 'the post');
  expect(env.discord.message(row.messageId!)!.embeds[0]!.title).toBe('Hook sword');
  const listed = await call('GET', '/sync?entityType=shop_item');
  expect(listed.body!.items).toEqual(expect.arrayContaining([expect.objectContaining({ entityId: id, state: 'synced', messageId: row.messageId, workflowId: `sync:shop_item:${id}` })]));

  expect((await call('PATCH', `/shop/items/${id}`, { name: 'Hook sabre' })).status).toBe(200);
  await eventually(() => env.discord.message(row.messageId!)?.embeds[0]?.title === 'Hook sabre', 'the edit');

  expect((await call('DELETE', `/shop/items/${id}`)).status).toBe(204);
  await eventually(async () => (await syncRow(env, 'shop_item', id))?.state === 'deleted', 'the deletion');
  expect(env.discord.message(row.messageId!)).toBeFalsy();
});
