import { formatAmount } from '../../lib/discord/amounts';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { syncFlowId } from '../../lib/flows/sync';
import type { PrismaClient } from '../../prisma/client';
import type { DiscordMessage } from '../discord/activities';
import { announcementMessage } from '../announcements/messages';
import { assetLabel, buyFromPostRow, itemLabel } from '../shop/messages';

/**
 * The message sync's renderer registry: one renderer per entity type turns the entity's *current* state
 * in the database into the Discord message that shows it (and says where). The workflow
 * `sync:{entityType}:{entityId}` (workflows/sync.ts) never sees the entity: on every change signal its
 * activity asks the renderer again, so the message always ends up showing the latest state however many
 * changes a burst brings.
 *
 * Adding an entity type (tasks, verification panels, …):
 *   1. write an `EntityRenderer` — `render(prisma, entityId)` returns `{ guildId, channelId, message }`
 *      (channelId null when the guild has not said where such messages go), or `null` once the entity no
 *      longer exists (the workflow then deletes the message and ends). Keep it a pure read: it runs on
 *      every change and again on every retry.
 *   2. add it to `DEFAULT_RENDERERS` below;
 *   3. where the entity changes, call `signalSync(target, { entityType, entityId, guildId })`
 *      (lib/flows/sync.client.ts) after the change commits — `deleted: true` when it is removed. That is
 *      signal-with-start: the first change creates the flow, later ones wake it.
 * The task post keeps its own small post/edit module for now and can move here the same way.
 */

export interface RenderedEntity {
  guildId: string;
  /** Where the message lives; null = no channel configured (the message is `orphaned` until there is one). */
  channelId: string | null;
  message: DiscordMessage;
  /** Pin the message when it is (re)posted. */
  pin?: boolean;
  /** The message must not stay pinned (an admin unpinned it): every render unpins it if Discord says it is. */
  unpin?: boolean;
}

export interface EntityRenderer {
  type: string;
  render(prisma: PrismaClient, entityId: string): Promise<RenderedEntity | null>;
}

export type RendererRegistry = ReadonlyMap<string, EntityRenderer>;

export function createRendererRegistry(renderers: readonly EntityRenderer[]): RendererRegistry {
  const map = new Map<string, EntityRenderer>();
  for (const r of renderers) {
    if (!/^[a-z][a-z_]{0,31}$/.test(r.type)) throw new Error(`entity type ${JSON.stringify(r.type)} must be lower_snake_case`);
    if (map.has(r.type)) throw new Error(`entity type ${r.type} is registered twice`);
    map.set(r.type, r);
  }
  return map;
}

async function channelFor(prisma: PrismaClient, guildId: string, entityType: string) {
  return prisma.syncChannel.findUnique({ where: { guildId_entityType: { guildId, entityType } } });
}

/** Leaderboard panel, entity id `{guildId}:{assetCode}`: the top holders of the asset, in the guild's leaderboard channel. */
const leaderboardRenderer: EntityRenderer = {
  type: 'leaderboard',
  async render(prisma, entityId) {
    const [guildId, assetCode = 'currency'] = entityId.split(':');
    if (!guildId) return null;
    const panel = await channelFor(prisma, guildId, 'leaderboard');
    if (!panel) return null; // the panel was removed
    const options = (panel.options ?? {}) as { size?: number };
    const size = Math.min(Math.max(Number(options.size ?? 10) || 10, 1), 25);
    const asset = await assetLabel(prisma, guildId, assetCode);
    const accounts = await prisma.account.findMany({
      where: { guildId, asset: { code: assetCode }, ownerType: 'user', balance: { gt: 0n } },
      orderBy: [{ balance: 'desc' }, { ownerId: 'asc' }],
      take: size,
      select: { ownerId: true, balance: true },
    });
    const lines = accounts.map((a, i) => `**${i + 1}.** <@${a.ownerId}> — ${formatAmount(asset, a.balance)}`);
    return {
      guildId,
      channelId: panel.channelId,
      message: {
        embeds: [
          guildflowEmbed({
            outcome: 'info',
            title: `${asset.emoji} ${asset.name} leaderboard`.trim(),
            description: lines.length ? lines.join('\n') : 'Nobody holds any yet.',
            flowId: syncFlowId('leaderboard', entityId),
          }),
        ],
        allowed_mentions: { parse: [] },
      },
    };
  },
};

/** A shop item's post, entity id = the item id, in the guild's shop channel. Removed item → message deleted. */
const shopItemRenderer: EntityRenderer = {
  type: 'shop_item',
  async render(prisma, entityId) {
    const id = Number(entityId);
    const item = Number.isSafeInteger(id) ? await prisma.shopItem.findUnique({ where: { id } }) : null;
    if (!item || item.deletedAt) return null;
    const channel = await channelFor(prisma, item.guildId, 'shop_item');
    const asset = await assetLabel(prisma, item.guildId, item.assetCode);
    const fields = [
      { name: 'Price', value: formatAmount(asset, item.price), inline: true },
      { name: 'Stock', value: item.stock === null ? 'Unlimited' : item.stock === 0 ? 'Sold out' : String(item.stock), inline: true },
    ];
    if (item.roleId) fields.push({ name: 'Gives', value: `<@&${item.roleId}>${item.roleDurationSeconds ? ` for ${item.roleDurationSeconds} s` : ''}`, inline: true });
    if (item.requiredRoleId) fields.push({ name: 'Requires', value: `<@&${item.requiredRoleId}>`, inline: true });
    if (item.perUserLimit) fields.push({ name: 'Limit', value: `${item.perUserLimit} per member`, inline: true });
    if (item.category) fields.push({ name: 'Category', value: item.category, inline: true });
    return {
      guildId: item.guildId,
      channelId: channel?.channelId ?? null,
      message: {
        embeds: [
          guildflowEmbed({
            outcome: item.active && item.stock !== 0 ? 'info' : 'warning',
            title: `${itemLabel(item)}${item.active ? '' : ' (not on sale)'}`,
            description: [item.description, `Buy it with the button below or \`/buy item:#${item.id}\`.`].filter(Boolean).join('\n\n'),
            fields,
            flowId: syncFlowId('shop_item', entityId),
          }),
        ],
        components: [buyFromPostRow(item)],
        allowed_mentions: { parse: [] },
      },
    };
  },
};

/** An announcement once sent, entity id = the announcement id. Cancelled or taken down → message deleted. */
const announcementRenderer: EntityRenderer = {
  type: 'announcement',
  async render(prisma, entityId) {
    const a = await prisma.announcement.findUnique({ where: { id: entityId } });
    if (!a || a.status !== 'sent') return null;
    return {
      guildId: a.guildId,
      channelId: a.channelId,
      pin: a.pin && !a.unpinnedAt,
      unpin: a.pin && a.unpinnedAt !== null,
      message: announcementMessage(a),
    };
  },
};

export const DEFAULT_RENDERERS: readonly EntityRenderer[] = [leaderboardRenderer, shopItemRenderer, announcementRenderer];
