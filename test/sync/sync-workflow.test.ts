import { editItem, removeItem } from '../../activities/shop';
import { syncStatusQuery, type SyncStatus } from '../../lib/flows/sync';
import { ADMIN_ACTOR, fund, item, startShopEnv, type ShopEnv } from '../shop/helpers';
import { eventually, FAST_SYNC, flowHandle, messageCalls, signal, syncRow, useChannel, endFlows } from './helpers';

/**
 * The message sync workflow (workflows/sync.ts) with the real activities against the fake Discord and a
 * test database: every test asserts what is in the channel, what sync_messages says and what the flow
 * reports — and how many Discord calls it took.
 */
jest.setTimeout(60_000);

let env: ShopEnv;
let shop: string;

beforeAll(async () => {
  env = await startShopEnv();
  await env.startWorker();
  shop = env.demo.channels.shop.id;
  await useChannel(env, 'shop_item', shop);
});
afterEach(() => env.discord.clearFaults());
afterAll(async () => {
  if (env) await endFlows(env);
  await env?.close();
});

const titleOf = (messageId: string) => env.discord.message(messageId)?.embeds[0]?.title ?? null;
const fieldsOf = (messageId: string) => Object.fromEntries((env.discord.message(messageId)?.embeds[0]?.fields ?? []).map((f) => [f.name, f.value]));

async function postedItem(name: string, extra: Parameters<typeof item>[1] = { price: 10n }) {
  const it = await item(env, { name, ...extra });
  await signal(env, 'shop_item', String(it.id));
  const row = await eventually(async () => {
    const r = await syncRow(env, 'shop_item', String(it.id));
    return r?.state === 'synced' && r.messageId ? r : null;
  }, `the post of ${name}`);
  return { it, row, messageId: row.messageId! };
}

it('create → the message is posted in the shop channel and its id stored', async () => {
  const t0 = Date.now();
  const { it: created, row, messageId } = await postedItem('Sync sword', { price: 250n, stock: 3, description: 'Sharp.' });
  const message = env.discord.message(messageId)!;
  expect(message.channelId).toBe(shop);
  expect(message.embeds[0]!.title).toBe('Sync sword');
  expect(message.embeds[0]!.description).toContain('Sharp.');
  expect(fieldsOf(messageId)).toMatchObject({ Stock: '3' });
  expect(fieldsOf(messageId).Price).toContain('250');
  expect(message.embeds[0]!.footer?.text).toBe(`Guildflow · sync:shop_item:${created.id}`);
  expect(row).toMatchObject({ guildId: env.demo.guild.id, channelId: shop, creates: 1, edits: 0, lastError: null });
  expect(messageCalls(env, shop, t0).posts).toHaveLength(1);
  // The row is written by the activity; the flow records the post once it has the activity's answer.
  const status: SyncStatus = await eventually(async () => {
    const s = await flowHandle(env, 'shop_item', String(created.id)).query(syncStatusQuery);
    return s.state === 'synced' && s.messageId === messageId ? s : null;
  }, 'the flow to record the post');
  expect(status).toMatchObject({ state: 'synced', messageId, channelId: shop, creates: 1, edits: 0 });
});

it('edit → the same message is edited to the new state', async () => {
  const { it: created, messageId } = await postedItem('Sync shield');
  await editItem(env.prisma, env.demo.guild.id, created.id, { name: 'Sync tower shield', price: 99n }, ADMIN_ACTOR);
  await signal(env, 'shop_item', String(created.id));
  await eventually(() => titleOf(messageId) === 'Sync tower shield', 'the edit');
  expect(fieldsOf(messageId).Price).toContain('99');
  expect(env.discord.messages(shop).filter((m) => m.embeds[0]?.footer?.text?.endsWith(`shop_item:${created.id}`))).toHaveLength(1);
  const row = await eventually(async () => ((await syncRow(env, 'shop_item', String(created.id)))?.edits === 1 ? syncRow(env, 'shop_item', String(created.id)) : null), 'edits = 1');
  expect(row).toMatchObject({ messageId, state: 'synced', creates: 1, edits: 1 });
});

it('a change that renders the same message costs no Discord call', async () => {
  const { it: created } = await postedItem('Sync plain');
  const t0 = Date.now();
  await signal(env, 'shop_item', String(created.id));
  await eventually(async () => (await flowHandle(env, 'shop_item', String(created.id)).query(syncStatusQuery)).renders >= 2, 'the second render');
  expect(messageCalls(env, shop, t0).all).toHaveLength(0);
});

it('someone deletes the message → it is posted again (the periodic check, no change needed) and the new id stored', async () => {
  const it_ = await item(env, { name: 'Sync potion', price: 5n });
  await signal(env, 'shop_item', String(it_.id), { settings: { ...FAST_SYNC, verifyEveryMs: 700 } });
  const first = await eventually(async () => (await syncRow(env, 'shop_item', String(it_.id)))?.messageId, 'the first post');
  env.discord.deleteMessage(shop, first);
  const second = await eventually(async () => {
    const r = await syncRow(env, 'shop_item', String(it_.id));
    return r?.messageId && r.messageId !== first && r.state === 'synced' ? r.messageId : null;
  }, 'the re-post');
  expect(env.discord.message(first)).toBeFalsy();
  expect(titleOf(second)).toBe('Sync potion');
  expect(await syncRow(env, 'shop_item', String(it_.id))).toMatchObject({ creates: 2 });
  // The row is written inside syncApply; the flow takes the new id when that activity returns.
  expect(await eventually(async () => (await flowHandle(env, 'shop_item', String(it_.id)).query(syncStatusQuery)).messageId === second, 'the flow to hold the new id')).toBe(true);
  // Removed: the flow deletes its message and ends (and stops checking).
  await removeItem(env.prisma, env.demo.guild.id, it_.id, ADMIN_ACTOR);
  await signal(env, 'shop_item', String(it_.id), { deleted: true });
  expect(await flowHandle(env, 'shop_item', String(it_.id)).result()).toMatchObject({ state: 'deleted', creates: 2 });
  expect(env.discord.message(second)).toBeFalsy();
});

it('someone deletes the message, then the item changes → the edit finds it gone and posts it again', async () => {
  const { it: created, messageId: first } = await postedItem('Sync bow');
  env.discord.deleteMessage(shop, first);
  await editItem(env.prisma, env.demo.guild.id, created.id, { price: 77n }, ADMIN_ACTOR);
  await signal(env, 'shop_item', String(created.id));
  const second = await eventually(async () => {
    const r = await syncRow(env, 'shop_item', String(created.id));
    return r?.messageId !== first && r?.state === 'synced' ? r.messageId : null;
  }, 'the re-post');
  expect(fieldsOf(second!).Price).toContain('77');
});

it('50 changes within a second → a handful of edits, and the message ends showing the last one', async () => {
  const { it: created, messageId } = await postedItem('Sync arrows', { price: 1n, stock: 1000 });
  const t0 = Date.now();
  for (let i = 1; i <= 50; i += 1) {
    await env.prisma.shopItem.update({ where: { id: created.id }, data: { stock: 1000 - i } });
    void signal(env, 'shop_item', String(created.id));
    await new Promise((r) => setTimeout(r, 15));
  }
  const burstMs = Date.now() - t0;
  await eventually(() => fieldsOf(messageId).Stock === '950', 'the final stock', 15_000);
  // Settled: every signal is in and the flow counts the edits Discord saw (none in flight).
  const status = await eventually(async () => {
    const s = await flowHandle(env, 'shop_item', String(created.id)).query(syncStatusQuery);
    return s.changes === 51 && s.edits === messageCalls(env, shop, t0).edits.length ? s : null;
  }, 'the flow to settle', 15_000);
  const calls = messageCalls(env, shop, t0);
  expect(calls.posts).toHaveLength(0);
  expect(calls.edits.length).toBeGreaterThanOrEqual(1);
  // Coalescing: each edit waits coalesceMs after the change that woke it, so edits are at least that far
  // apart from the burst's start (a bound from the edits' own times, whatever the machine's load).
  const lastEditAt = Math.max(...calls.edits.map((r) => r.at));
  expect(calls.edits.length).toBeLessThanOrEqual(Math.floor((lastEditAt - t0) / FAST_SYNC.coalesceMs));
  expect(status.edits).toBe(calls.edits.length);
  process.stdout.write(`[sync burst] 50 changes in ${burstMs} ms → ${calls.edits.length} edits (${(calls.edits.length / 50).toFixed(2)} Discord calls per change)\n`);
});

it('Discord answering 500 for a while → pending (visible in sync_messages) with backoff, then consistent', async () => {
  const { it: created, messageId } = await postedItem('Sync helmet');
  const patchesOf = () => env.discord.requests().filter((r) => r.method === 'PATCH' && r.route === `/channels/${shop}/messages/${messageId}`);
  // The outage lasts until the test has seen it in the row and in the flow and four tries have failed,
  // however slowly the machine runs.
  env.discord.inject({ method: 'PATCH', route: new RegExp(`^/channels/${shop}/messages/${messageId}$`), status: 500, times: 1000 });
  await editItem(env.prisma, env.demo.guild.id, created.id, { name: 'Sync great helmet' }, ADMIN_ACTOR);
  await signal(env, 'shop_item', String(created.id));
  const pending = await eventually(async () => {
    const r = await syncRow(env, 'shop_item', String(created.id));
    return r?.state === 'pending' ? r : null;
  }, 'the pending state');
  expect(pending.lastError).toMatch(/Discord is failing/);
  await eventually(async () => (await flowHandle(env, 'shop_item', String(created.id)).query(syncStatusQuery)).state === 'pending', 'the flow pending');
  await eventually(() => patchesOf().filter((r) => r.status === 500).length >= 4, 'four failed tries');
  env.discord.clearFaults();
  const done = await eventually(async () => {
    const r = await syncRow(env, 'shop_item', String(created.id));
    return r?.state === 'synced' && titleOf(messageId) === 'Sync great helmet' ? r : null;
  }, 'consistency after the outage', 15_000);
  expect(done).toMatchObject({ messageId, lastError: null, creates: 1 });
  const patches = patchesOf();
  const failures = patches.filter((r) => r.status === 500).length;
  expect(failures).toBeGreaterThanOrEqual(4);
  expect(patches.filter((r) => r.status === 200)).toHaveLength(1);
  // Backoff: the workflow's retry timers double from retryInitialMs up to retryMaxMs (FAST_SYNC: 100 → 800 ms).
  const history = await flowHandle(env, 'shop_item', String(created.id)).fetchHistory();
  const timers = (history.events ?? []).flatMap((e) => {
    const t = e.timerStartedEventAttributes?.startToFireTimeout;
    return t ? [Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6)] : [];
  });
  // One per failed try: 100, 200, 400, 800, then 800 for any further ones.
  const backoff = Array.from({ length: failures }, (_, i) => Math.min(FAST_SYNC.retryInitialMs * 2 ** i, FAST_SYNC.retryMaxMs));
  expect(backoff.slice(0, 4)).toEqual([100, 200, 400, 800]);
  expect(timers.filter((ms) => ms !== FAST_SYNC.coalesceMs)).toEqual(backoff);
});

it('channel deleted → orphaned, the admin log is told once; the item keeps existing', async () => {
  const channel = env.discord.createChannel(env.demo.guild.id, { name: 'doomed-shop', type: 0 });
  const guildId = env.demo.guild.id;
  const it_ = await item(env, { name: 'Sync lantern', price: 3n });
  await env.prisma.syncChannel.update({ where: { guildId_entityType: { guildId, entityType: 'shop_item' } }, data: { channelId: channel.id } });
  try {
    await signal(env, 'shop_item', String(it_.id));
    await eventually(async () => (await syncRow(env, 'shop_item', String(it_.id)))?.state === 'synced', 'the post');
    const flowId = `Guildflow · sync:shop_item:${it_.id}`;
    const noticesOf = () => env.discord.messages(env.demo.channels.adminLog.id).filter((m) => m.embeds[0]?.footer?.text === flowId);
    env.discord.deleteChannel(channel.id);
    await editItem(env.prisma, guildId, it_.id, { price: 4n }, ADMIN_ACTOR);
    await signal(env, 'shop_item', String(it_.id));
    const row = await eventually(async () => {
      const r = await syncRow(env, 'shop_item', String(it_.id));
      return r?.state === 'orphaned' ? r : null;
    }, 'orphaned');
    expect(row.lastError).toBe(`The channel <#${channel.id}> no longer exists.`);
    const notices = await eventually(() => {
      const m = noticesOf();
      return m.length ? m : null;
    }, 'the admin log notice');
    expect(notices[0]!.embeds[0]!.title).toBe('A Guildflow message is no longer kept up to date');
    expect(notices[0]!.embeds[0]!.description).toContain(`<#${channel.id}> no longer exists`);
    // Another change while orphaned: tried again, still orphaned, the admins are not told twice.
    await signal(env, 'shop_item', String(it_.id));
    await eventually(async () => (await flowHandle(env, 'shop_item', String(it_.id)).query(syncStatusQuery)).renders >= 3, 'the third render');
    expect(noticesOf()).toHaveLength(1);
    expect((await flowHandle(env, 'shop_item', String(it_.id)).query(syncStatusQuery)).state).toBe('orphaned');
    expect(await env.prisma.shopItem.findUnique({ where: { id: it_.id } })).toMatchObject({ price: 4n, deletedAt: null });
  } finally {
    await env.prisma.syncChannel.update({ where: { guildId_entityType: { guildId, entityType: 'shop_item' } }, data: { channelId: shop } });
  }
});

it('no permission in the channel → orphaned with the permissions to give', async () => {
  const { it: created, messageId } = await postedItem('Sync locked');
  env.discord.denyPermission({ channelId: shop, method: 'PATCH' });
  try {
    await editItem(env.prisma, env.demo.guild.id, created.id, { price: 11n }, ADMIN_ACTOR);
    await signal(env, 'shop_item', String(created.id));
    const row = await eventually(async () => {
      const r = await syncRow(env, 'shop_item', String(created.id));
      return r?.state === 'orphaned' ? r : null;
    }, 'orphaned');
    expect(row.lastError).toMatch(/may not see or post in <#\d+>/);
    expect(row.messageId).toBe(messageId);
  } finally {
    env.discord.clearFaults();
  }
});

it('item removed → its message is deleted and the flow ends', async () => {
  const { it: created, messageId } = await postedItem('Sync relic');
  await removeItem(env.prisma, env.demo.guild.id, created.id, ADMIN_ACTOR);
  await signal(env, 'shop_item', String(created.id), { deleted: true });
  const result: SyncStatus = await flowHandle(env, 'shop_item', String(created.id)).result();
  expect(result).toMatchObject({ state: 'deleted', messageId: null });
  expect(env.discord.message(messageId)).toBeFalsy();
  expect(await syncRow(env, 'shop_item', String(created.id))).toMatchObject({ state: 'deleted', messageId: null });
});

it('the leaderboard panel lists the top holders and follows ledger changes', async () => {
  const ch = env.demo.channels.general;
  await useChannel(env, 'leaderboard', ch, { size: 3 });
  const users = ['lb-a', 'lb-b', 'lb-c', 'lb-d'].map((username) => {
    const u = env.discord.createUser({ username });
    env.discord.addMember(env.demo.guild.id, u.id);
    return u.id;
  });
  await fund(env, users[0]!, 10n);
  await fund(env, users[1]!, 30n);
  await fund(env, users[2]!, 20n);
  const entityId = `${env.demo.guild.id}:currency`;
  await signal(env, 'leaderboard', entityId);
  const messageId = await eventually(async () => (await syncRow(env, 'leaderboard', entityId))?.messageId, 'the panel');
  const lines = () => env.discord.message(messageId)?.embeds[0]?.description?.split('\n') ?? [];
  await eventually(() => lines().length === 3, 'three lines');
  expect(lines()[0]).toContain(`<@${users[1]}>`);
  expect(lines()[0]).toContain('30');
  expect(lines()[2]).toContain(`<@${users[0]}>`);
  await fund(env, users[3]!, 100n);
  await signal(env, 'leaderboard', entityId);
  await eventually(() => lines()[0]?.includes(`<@${users[3]}>`), 'the new leader');
  expect(lines()).toHaveLength(3);
  expect(lines().join('\n')).not.toContain(`<@${users[0]}>`);
  // The panel removed → message deleted, flow ends.
  await env.prisma.syncChannel.delete({ where: { guildId_entityType: { guildId: env.demo.guild.id, entityType: 'leaderboard' } } });
  await signal(env, 'leaderboard', entityId);
  expect(await flowHandle(env, 'leaderboard', entityId).result()).toMatchObject({ state: 'deleted' });
  expect(env.discord.message(messageId)).toBeFalsy();
});

it('continues as new after roundsBeforeContinue renders, keeping its message and counts', async () => {
  const it_ = await item(env, { name: 'Sync long-lived', price: 1n, stock: 100 });
  const settings = { ...FAST_SYNC, coalesceMs: 50, roundsBeforeContinue: 3 };
  await signal(env, 'shop_item', String(it_.id), { settings });
  const handle = flowHandle(env, 'shop_item', String(it_.id));
  const firstRun = (await handle.describe()).runId;
  const messageId = await eventually(async () => (await syncRow(env, 'shop_item', String(it_.id)))?.messageId, 'the post');
  for (let i = 1; i <= 7; i += 1) {
    await env.prisma.shopItem.update({ where: { id: it_.id }, data: { stock: 100 - i } });
    await signal(env, 'shop_item', String(it_.id), { settings });
    await eventually(() => fieldsOf(messageId).Stock === String(100 - i), `stock ${100 - i}`);
  }
  const status = await eventually(async () => {
    const s = await handle.query(syncStatusQuery);
    return s.renders === 8 ? s : null;
  }, '8 renders');
  expect(status.runs).toBeGreaterThanOrEqual(3);
  expect(status).toMatchObject({ messageId, creates: 1, edits: 7, changes: 8 });
  const d = await handle.describe();
  expect(d.runId).not.toBe(firstRun);
  expect(d.historyLength).toBeLessThan(60);
});
