import { createAnnouncement, editAnnouncement } from '../../activities/announcements';
import { editItem, removeItem } from '../../activities/shop';
import { recordHistories, type Scenarios } from '../helpers/histories';
import { ADMIN_ACTOR, item, type ShopEnv } from '../shop/helpers';
import { eventually, FAST_SYNC, signal, syncRow, useChannel } from './helpers';

/**
 * Records real histories of the message sync and announcement workflows into test/histories/sync-*.json
 * (replayed by test/sync/replay.test.ts):
 *
 *   GF_RECORD_HISTORIES=1 npx jest test/sync/replay.test.ts
 */
export const SYNC_SCENARIOS: Scenarios<ShopEnv> = {
  /** Post, edit, a Discord outage (pending, backoff, then consistent), message deleted → re-posted, channel gone → orphaned + admin log, item removed → message deleted, flow ends. */
  'sync-lifecycle': async (env) => {
    const shop = env.demo.channels.shop.id;
    await useChannel(env, 'shop_item', shop);
    const it = await item(env, { name: 'History lamp', price: 5n, stock: 3 });
    const id = String(it.id);
    await signal(env, 'shop_item', id);
    const first = await eventually(async () => (await syncRow(env, 'shop_item', id))?.messageId, 'post');
    await editItem(env.prisma, env.demo.guild.id, it.id, { price: 6n }, ADMIN_ACTOR);
    env.discord.inject({ method: 'PATCH', route: new RegExp(`^/channels/${shop}/messages/${first}$`), status: 500, times: 2 });
    await signal(env, 'shop_item', id);
    await eventually(async () => (await syncRow(env, 'shop_item', id))?.edits === 1, 'edit after the outage');
    env.discord.deleteMessage(shop, first);
    await editItem(env.prisma, env.demo.guild.id, it.id, { price: 7n }, ADMIN_ACTOR);
    await signal(env, 'shop_item', id);
    await eventually(async () => (await syncRow(env, 'shop_item', id))?.creates === 2, 're-post');
    await removeItem(env.prisma, env.demo.guild.id, it.id, ADMIN_ACTOR);
    await signal(env, 'shop_item', id, { deleted: true });
    await env.temporal.client.workflow.getHandle(`sync:shop_item:${id}`).result();
    return `sync:shop_item:${id}`;
  },
  /** The first run of a chain that continues as new after 2 renders. */
  'sync-continue-as-new': async (env) => {
    await useChannel(env, 'shop_item', env.demo.channels.shop.id);
    const it = await item(env, { name: 'History chain', price: 1n, stock: 10 });
    const id = String(it.id);
    const settings = { ...FAST_SYNC, roundsBeforeContinue: 2 };
    await signal(env, 'shop_item', id, { settings });
    await eventually(async () => (await syncRow(env, 'shop_item', id))?.messageId, 'post');
    const handle = env.temporal.client.workflow.getHandle(`sync:shop_item:${id}`);
    const firstRun = (await handle.describe()).runId;
    await env.prisma.shopItem.update({ where: { id: it.id }, data: { stock: 9 } });
    await signal(env, 'shop_item', id, { settings });
    await eventually(async () => (await handle.describe()).runId !== firstRun, 'continue-as-new');
    await removeItem(env.prisma, env.demo.guild.id, it.id, ADMIN_ACTOR);
    await signal(env, 'shop_item', id, { deleted: true });
    await handle.result();
    return `sync:shop_item:${id}@${firstRun}`;
  },
  /** Scheduled 2 s ahead, moved by an edit, sent: a timer, a `changed` signal, the hand-over to the sync flow. */
  'sync-announcement-scheduled': async (env) => {
    const ctx = { prisma: env.prisma, temporal: env.temporal.client, taskQueue: env.taskQueue, syncSettings: FAST_SYNC };
    const aid = `history-${Date.now()}`;
    await createAnnouncement(ctx, env.demo.guild.id, aid, { channelId: env.demo.channels.general, title: 'History news', body: 'v1', sendAt: new Date(Date.now() + 10_000).toISOString() }, 'discord:1', { draft: false });
    await editAnnouncement(ctx, env.demo.guild.id, aid, { body: 'v2', sendAt: new Date(Date.now() + 2000).toISOString() });
    await env.temporal.client.workflow.getHandle(`announcement:${aid}`).result();
    return `announcement:${aid}`;
  },
};

export function recordSyncHistories(env: ShopEnv): Promise<string[]> {
  return recordHistories(env, SYNC_SCENARIOS);
}
