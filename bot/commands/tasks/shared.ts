import { guildIdOf } from '../../interaction';
import { MessageFlags, type Interaction, type InteractionReplyOptions } from 'discord.js';
import type { APIEmbed } from 'discord-api-types/v10';
import { guildflowEmbed, type Outcome } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { PermissionLevel } from '../../../lib/permissions';
import { atLeast } from '../../../lib/permissions';
import type { PrismaClient } from '../../../prisma/client';
import { getTaskSettings } from '../../../activities/tasks';
import { interactionLevel } from '../../permissions';

/** "24" (hours), "90s", "30m", "12h", "3d" → seconds. */
export function parseHoursOrDuration(text: string, what: string): number {
  const t = text.trim().toLowerCase();
  const m = /^(\d{1,7}(?:\.\d{1,3})?)\s*(s|m|h|d)?$/.exec(t);
  if (!m) throw new AppError('invalid_input', `${what}: "${text}" is not a duration; write hours (24) or 90s, 30m, 12h, 3d.`);
  const seconds = Math.round(Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[(m[2] ?? 'h') as 's' | 'm' | 'h' | 'd']);
  if (seconds < 1) throw new AppError('invalid_input', `${what} must be at least one second.`);
  return seconds;
}

export const ephemeral = (embed: APIEmbed, extra: Omit<InteractionReplyOptions, 'flags' | 'embeds'> = {}) =>
  ({ flags: MessageFlags.Ephemeral as const, allowedMentions: { parse: [] }, embeds: [embed], ...extra }) as const;

export const note = (outcome: Outcome, title: string, description?: string) => guildflowEmbed({ outcome, title, description });

/** The interaction's member level, refused when below the guild's reviewer level. */
export async function requireReviewer(interaction: Interaction, prisma: PrismaClient): Promise<PermissionLevel> {
  const guildId = guildIdOf(interaction);
  const settings = await getTaskSettings(prisma, guildId);
  const level = await interactionLevel(interaction, prisma);
  if (!atLeast(level, settings.reviewerLevel)) throw new AppError('forbidden', `Only a server ${settings.reviewerLevel} or above can review tasks (you are ${level}).`, 403);
  return level;
}

export const TASK_PAGE_SIZE = 5;
