import { formatAmount } from '../../../lib/discord/amounts';
import { AppError } from '../../../lib/errors';
import type { ShopItem } from '../../../prisma/client';
import type { AssetLabel } from '../../../activities/shop';
import { itemLabel, sellBackUnitPrice } from '../../../activities/shop';

/** "90s", "30m", "12h", "7d", or plain seconds → seconds; "0"/"permanent" → null. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === '0' || t === 'permanent' || t === 'none') return null;
  const m = /^(\d{1,9})\s*(s|sec|seconds?|m|min|minutes?|h|hours?|d|days?)?$/.exec(t);
  if (!m) throw new AppError('invalid_input', `"${text}" is not a duration: write e.g. 90s, 30m, 12h or 7d (0 = permanent).`);
  const unit = (m[2] ?? 's')[0]!;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[unit as 's' | 'm' | 'h' | 'd'];
}

export function formatDuration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** One line per item for /shop and the admin replies. */
export function describeItem(item: ShopItem, asset: AssetLabel): string {
  const facts = [
    formatAmount(asset, item.price),
    item.stock === null ? 'unlimited' : item.stock === 0 ? '**sold out**' : `${item.stock} left`,
    ...(item.perUserLimit !== null ? [`max ${item.perUserLimit} per member`] : []),
    ...(item.roleId ? [`gives <@&${item.roleId}>${item.roleDurationSeconds ? ` for ${formatDuration(item.roleDurationSeconds)}` : ''}`] : []),
    ...(item.requiredRoleId ? [`needs <@&${item.requiredRoleId}>`] : []),
    ...(item.category ? [`*${item.category}*`] : []),
    ...(item.usable ? ['usable'] : []),
    ...(item.sellBackPercent !== null ? [`sells back for ${formatAmount(asset, sellBackUnitPrice(item)!)}`] : []),
    ...(item.active ? [] : ['paused']),
  ];
  return `**#${item.id} ${itemLabel(item)}** — ${facts.join(' · ')}${item.description ? `\n${item.description}` : ''}`;
}
