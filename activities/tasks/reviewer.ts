import type { GuildDirectory } from '../../lib/discord/guild-directory';
import { currentMemberLevel } from '../../lib/guild-levels';
import { atLeast, PERMISSION_LEVELS, type PermissionLevel } from '../../lib/permissions';
import type { PrismaClient } from '../../prisma/client';

export type ReviewerCheck = { ok: true; level: PermissionLevel } | { ok: false; reason: string };

const SNOWFLAKE = /^\d{17,20}$/;

/**
 * The reviewer's level as we find it ourselves — an operator's API token of this guild that still works
 * (a person's token reviews as that person), or a member of the guild with their roles as Discord has them
 * now — never the level the decision carries (an update can be sent from the Temporal UI or CLI with any
 * level in it). Refused below `required`, or the claimant.
 */
export async function confirmReviewer(
  prisma: PrismaClient,
  directory: GuildDirectory | null,
  input: { guildId: string; reviewerId: string; claimantId: string; required: PermissionLevel },
): Promise<ReviewerCheck> {
  if (input.reviewerId === input.claimantId) return { ok: false, reason: 'You cannot review your own proof.' };
  let level: PermissionLevel | null = null;
  if (input.reviewerId.startsWith('token:')) {
    const token = await prisma.apiToken.findFirst({ where: { id: input.reviewerId.slice('token:'.length), guildId: input.guildId, revokedAt: null, ownerUserId: null } });
    if (token && (!token.expiresAt || token.expiresAt > new Date()) && (PERMISSION_LEVELS as readonly string[]).includes(token.level)) level = token.level as PermissionLevel;
  } else if (SNOWFLAKE.test(input.reviewerId)) {
    // Discord unreachable (or not configured) throws: the activity is retried, nothing is decided.
    if (!directory) throw new Error('Discord is not configured (DISCORD_TOKEN): the reviewer cannot be checked.');
    level = await currentMemberLevel(prisma, directory, input.guildId, input.reviewerId);
  }
  if (level === null) return { ok: false, reason: 'The reviewer is not a member or a working API token of this server: nothing was awarded.' };
  if (!atLeast(level, input.required)) return { ok: false, reason: `Only a server ${input.required} or above can review proofs: nothing was awarded.` };
  return { ok: true, level };
}
