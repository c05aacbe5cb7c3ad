import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type Interaction } from 'discord.js';
import { formatAmount } from '../../../lib/discord/amounts';
import { customId } from '../../../lib/discord/custom-id';
import { AppError } from '../../../lib/errors';
import type { ShopItem } from '../../../prisma/client';
import type { AssetLabel } from '../../../activities/shop';
import { itemLabel } from '../../../activities/shop';

export function guildIdOf(interaction: Interaction): string {
  if (!interaction.inGuild()) throw new AppError('guild_only', 'Use this in a server.');
  return interaction.guildId;
}

/** The member's role ids, as the interaction carries them. */
export function memberRoleIds(interaction: Interaction): string[] {
  if (!interaction.inGuild()) return [];
  const roles = interaction.member.roles;
  return Array.isArray(roles) ? [...roles] : [...roles.cache.keys()];
}

type ActionStyle = ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger;

export function buttonRow(buttons: { action: string; key?: string; label: string; style?: ActionStyle; disabled?: boolean }[]): APIActionRowComponent<APIButtonComponent> {
  return {
    type: ComponentType.ActionRow,
    components: buttons.map((b) => ({
      type: ComponentType.Button,
      style: b.style ?? ButtonStyle.Secondary,
      label: b.label,
      custom_id: customId(b.action, b.key ?? ''),
      disabled: b.disabled ?? false,
    })),
  };
}

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
    ...(item.active ? [] : ['paused']),
  ];
  return `**#${item.id} ${itemLabel(item)}** — ${facts.join(' · ')}${item.description ? `\n${item.description}` : ''}`;
}
