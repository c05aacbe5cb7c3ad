import { PermissionFlagsBits, Routes, type APIGuildMember, type APIRole } from 'discord-api-types/v10';
import type { REST } from '@discordjs/rest';
import { atLeast, memberLevel, PERMISSION_LEVELS, type PermissionLevel } from '../../lib/permissions';
import type { PrismaClient } from '../../prisma/client';

export type ReviewerCheck = { ok: true; level: PermissionLevel } | { ok: false; reason: string };

const SNOWFLAKE = /^\d{17,20}$/;

/** Discord says this 404 means the member or guild is not there (anything else is an outage, retried). */
const isNotFound = (err: unknown): boolean => (err as { status?: number }).status === 404;

/**
 * The reviewer's level as we find it ourselves — an API token in this guild that still works, or a member
 * of the guild with their roles as Discord has them — never the level the decision carries (an update can
 * be sent from the Temporal UI or CLI with any level in it). Refused below `required`, or the claimant.
 */
export async function confirmReviewer(
  prisma: PrismaClient,
  rest: REST | null,
  input: { guildId: string; reviewerId: string; claimantId: string; required: PermissionLevel },
): Promise<ReviewerCheck> {
  if (input.reviewerId === input.claimantId) return { ok: false, reason: 'You cannot review your own proof.' };
  let level: PermissionLevel | null = null;
  if (input.reviewerId.startsWith('token:')) {
    const token = await prisma.apiToken.findFirst({ where: { id: input.reviewerId.slice('token:'.length), guildId: input.guildId, revokedAt: null } });
    if (token && (!token.expiresAt || token.expiresAt > new Date()) && (PERMISSION_LEVELS as readonly string[]).includes(token.level)) level = token.level;
  } else if (SNOWFLAKE.test(input.reviewerId)) {
    if (!rest) throw new Error('Discord is not configured (DISCORD_TOKEN): the reviewer cannot be checked.');
    const member = (await (rest.get(Routes.guildMember(input.guildId, input.reviewerId)) as Promise<APIGuildMember>).catch((err: unknown) => {
      if (isNotFound(err)) return null;
      throw err;
    })) as APIGuildMember | null;
    if (member) {
      const [guild, settings, roles] = await Promise.all([
        prisma.guild.findUnique({ where: { id: input.guildId }, select: { ownerId: true } }),
        prisma.guildSettings.findUnique({ where: { guildId: input.guildId }, select: { adminRoleIds: true, modRoleIds: true } }),
        rest.get(Routes.guildRoles(input.guildId)) as Promise<APIRole[]>,
      ]);
      const administrator = roles.some((r) => (member.roles.includes(r.id) || r.id === input.guildId) && (BigInt(r.permissions) & PermissionFlagsBits.Administrator) !== 0n);
      level = memberLevel({
        userId: input.reviewerId,
        guildOwnerId: guild?.ownerId ?? '',
        roleIds: member.roles,
        adminRoleIds: settings?.adminRoleIds ?? [],
        modRoleIds: settings?.modRoleIds ?? [],
        hasAdministratorPermission: administrator,
      });
    }
  }
  if (level === null) return { ok: false, reason: 'The reviewer is not a member or a working API token of this server: nothing was awarded.' };
  if (!atLeast(level, input.required)) return { ok: false, reason: `Only a server ${input.required} or above can review proofs: nothing was awarded.` };
  return { ok: true, level };
}
