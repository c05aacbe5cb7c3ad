import type { GuildDirectory } from '../../lib/discord/guild-directory';
import { whoMay, type Need } from '../../lib/grants';
import { atLeast, PERMISSION_LEVELS, type PermissionLevel } from '../../lib/permissions';
import type { PrismaClient } from '../../prisma/client';
import { currentMemberAccess } from '../grants';

export type ReviewerCheck = { ok: true; level: PermissionLevel } | { ok: false; reason: string };

const SNOWFLAKE = /^\d{17,20}$/;

/**
 * The reviewer's level as we find it ourselves — an operator's API token of this guild that still works
 * (a person's token reviews as that person), or a member of the guild with their roles as Discord has them
 * now — never the level or grants the decision carries (an update can be sent from the Temporal UI or CLI
 * with anything in it). Refused below `required` unless the member holds Review tasks now, or the claimant.
 */
export async function confirmReviewer(
  prisma: PrismaClient,
  directory: GuildDirectory | null,
  input: { guildId: string; reviewerId: string; claimantId: string; required: PermissionLevel },
): Promise<ReviewerCheck> {
  if (input.reviewerId === input.claimantId) return { ok: false, reason: 'You cannot review your own proof.' };
  const need: Need = { level: input.required, grant: 'review_tasks' };
  let access: { level: PermissionLevel; allowed: boolean } | null = null;
  if (input.reviewerId.startsWith('token:')) {
    // An operator's token has no person, so no grants: its level decides.
    const token = await prisma.apiToken.findFirst({ where: { id: input.reviewerId.slice('token:'.length), guildId: input.guildId, revokedAt: null, ownerUserId: null } });
    if (token && (!token.expiresAt || token.expiresAt > new Date()) && (PERMISSION_LEVELS as readonly string[]).includes(token.level)) {
      access = { level: token.level as PermissionLevel, allowed: atLeast(token.level as PermissionLevel, input.required) };
    }
  } else if (SNOWFLAKE.test(input.reviewerId)) {
    // Discord unreachable (or not configured) throws: the activity is retried, nothing is decided.
    if (!directory) throw new Error('Discord is not configured (DISCORD_TOKEN): the reviewer cannot be checked.');
    access = await currentMemberAccess(prisma, directory, input.guildId, input.reviewerId, need);
  }
  if (access === null) return { ok: false, reason: 'The reviewer is not a member or a working API token of this server: nothing was awarded.' };
  if (!access.allowed) return { ok: false, reason: `Only ${whoMay(need)} can review proofs: nothing was awarded.` };
  return { ok: true, level: access.level };
}
