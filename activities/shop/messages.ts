import { ButtonStyle, type APIActionRowComponent, type APIButtonComponent, type APIEmbed } from 'discord-api-types/v10';
import { buttonRow } from '../../lib/discord/buttons';
import { formatAmount } from '../../lib/discord/amounts';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { purchaseFlow } from '../../lib/flows/shop';
import type { Purchase, PrismaClient, ShopItem } from '../../prisma/client';
import { DEFAULT_ASSETS } from '../ledger/assets';

/**
 * What members and admins read about a purchase. Written by activities, not by the workflow, so wording
 * can change without touching workflow histories.
 */

export interface AssetLabel {
  name: string;
  emoji: string;
}

export async function assetLabel(prisma: PrismaClient, guildId: string, code: string): Promise<AssetLabel> {
  const asset = await prisma.asset.findUnique({ where: { guildId_code: { guildId, code } }, select: { name: true, emoji: true } });
  return asset ?? DEFAULT_ASSETS.find((a) => a.code === code) ?? { name: code, emoji: '' };
}

/** The Buy button on an item's post in the shop channel: `gf:shop-item-buy:{itemId}` (bot/commands/shop/buy.ts). */
export const SHOP_BUY_FROM_POST = 'shop-item-buy';

export function buyFromPostRow(item: Pick<ShopItem, 'id' | 'active' | 'stock'>): APIActionRowComponent<APIButtonComponent> {
  const onSale = item.active && item.stock !== 0;
  return buttonRow([{ action: SHOP_BUY_FROM_POST, key: String(item.id), label: onSale ? 'Buy' : 'Not on sale', style: ButtonStyle.Success, disabled: !onSale }]);
}

export const itemLabel = (item: Pick<ShopItem, 'name' | 'emoji'>): string => (item.emoji ? `${item.emoji} ${item.name}` : item.name);

const when = (d: Date): string => `<t:${Math.floor(d.getTime() / 1000)}:f> (<t:${Math.floor(d.getTime() / 1000)}:R>)`;

export function completedEmbed(p: Purchase, item: ShopItem, asset: AssetLabel): APIEmbed {
  const lines = [`You bought **${p.quantity} × ${itemLabel(item)}** for **${formatAmount(asset, p.total)}**.`];
  if (p.roleId) lines.push(p.roleExpiresAt ? `You have the role <@&${p.roleId}> until ${when(p.roleExpiresAt)}.` : `You now have the role <@&${p.roleId}>.`);
  lines.push('See it with /inventory.');
  return guildflowEmbed({ outcome: 'success', title: 'Purchase complete', description: lines.join('\n'), flowId: purchaseFlow.id(p.id) });
}

export function failedEmbed(p: Pick<Purchase, 'id' | 'quantity'>, item: Pick<ShopItem, 'name' | 'emoji'>, reason: string): APIEmbed {
  return guildflowEmbed({
    outcome: 'error',
    title: `Purchase failed: ${p.quantity} × ${itemLabel(item)}`,
    description: `${reason}\n\nNothing was charged: your balance and the shop's stock are as they were.`,
    flowId: purchaseFlow.id(p.id),
  });
}

/** A purchase refused before it existed (the item is gone): nothing was taken. */
export function refusedEmbed(purchaseId: string, reason: string): APIEmbed {
  return guildflowEmbed({ outcome: 'error', title: 'Purchase not made', description: `${reason}\n\nNothing was charged: your balance is as it was.`, flowId: purchaseFlow.id(purchaseId) });
}

export function roleExpiredEmbed(p: Purchase, item: ShopItem, removed: boolean): APIEmbed {
  return guildflowEmbed({
    outcome: 'info',
    title: 'Your role has ended',
    description: removed
      ? `The role <@&${p.roleId}> from **${itemLabel(item)}** has ended and was removed. Buy it again in /shop.`
      : `The time of **${itemLabel(item)}** is over.`,
    flowId: purchaseFlow.id(p.id),
  });
}

export function adminFailedEmbed(p: Purchase, item: ShopItem, asset: AssetLabel, reason: string): APIEmbed {
  return guildflowEmbed({
    outcome: 'warning',
    title: `Shop: a purchase of ${itemLabel(item)} failed`,
    description: `<@${p.userId}> tried to buy ${p.quantity} × ${itemLabel(item)} for ${formatAmount(asset, p.total)}.\n**Why:** ${reason}\nThe held funds were released and the stock returned: nothing was lost.`,
    fields: [
      { name: 'Member', value: `<@${p.userId}>`, inline: true },
      { name: 'Item', value: `#${item.id} ${item.name}`, inline: true },
      ...(p.roleId ? [{ name: 'Role', value: `<@&${p.roleId}>`, inline: true }] : []),
    ],
    flowId: purchaseFlow.id(p.id),
  });
}

export function adminRoleNotRemovedEmbed(p: Purchase, item: ShopItem, reason: string): APIEmbed {
  return guildflowEmbed({
    outcome: 'warning',
    title: `Shop: a timed role could not be removed`,
    description: `The role <@&${p.roleId}> that <@${p.userId}> bought with ${itemLabel(item)} has ended, but Guildflow could not remove it.\n**Why:** ${reason}\nPlease remove it by hand.`,
    flowId: purchaseFlow.id(p.id),
  });
}
