import { guildIdOf } from '../../interaction';
import { MessageFlags, type Interaction, type InteractionReplyOptions } from 'discord.js';
import type { APIEmbed } from 'discord-api-types/v10';
import { guildflowEmbed, type Outcome } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import { whoMay, type Holding, type Need } from '../../../lib/grants';
import type { PrismaClient } from '../../../prisma/client';
import { getTaskSettings } from '../../../activities/tasks';
import { interactionAccess } from '../../permissions';

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

/** The member's level and grants, refused unless they reach the guild's reviewer level or hold Review tasks. */
export async function requireReviewer(interaction: Interaction, prisma: PrismaClient): Promise<Holding> {
  const settings = await getTaskSettings(prisma, guildIdOf(interaction));
  const need: Need = { level: settings.reviewerLevel, grant: 'review_tasks' };
  const access = await interactionAccess(interaction, prisma, need);
  if (!access.allowed) throw new AppError('forbidden', `Only ${whoMay(need)} can review tasks (you are ${access.level}).`, 403);
  return { level: access.level, grants: access.grants };
}

export const TASK_PAGE_SIZE = 5;
