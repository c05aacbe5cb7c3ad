import { DiscordUnavailableError, type GuildDirectory, type GuildMember } from './discord/guild-directory';
import { memberLevel, type PermissionLevel } from './permissions';
import type { PrismaClient } from '../prisma/client';

/** What Discord says about a member: their roles, and whether those grant the Administrator permission. */
export interface MemberFacts {
  userId: string;
  roleIds: readonly string[];
  hasAdministratorPermission: boolean;
  /** The guild's owner when the caller knows it (the gateway's cache); otherwise the stored one is used. */
  guildOwnerId?: string;
}

/**
 * A member's level in a guild: its owner, then the guild's configured admin/mod roles (or Discord's
 * Administrator permission). The bot (from an interaction) and the API (from the Discord directory, for
 * a token's owner) both decide levels here, so they cannot drift apart.
 */
export async function guildMemberLevel(prisma: PrismaClient, guildId: string, member: MemberFacts): Promise<PermissionLevel> {
  const guild = await prisma.guild.findUnique({
    where: { id: guildId },
    select: { ownerId: true, settings: { select: { adminRoleIds: true, modRoleIds: true } } },
  });
  return memberLevel({
    userId: member.userId,
    guildOwnerId: member.guildOwnerId ?? guild?.ownerId ?? '',
    roleIds: member.roleIds,
    adminRoleIds: guild?.settings?.adminRoleIds ?? [],
    modRoleIds: guild?.settings?.modRoleIds ?? [],
    hasAdministratorPermission: member.hasAdministratorPermission,
  });
}

/**
 * What Discord says now about a person in a guild (through the directory's short cache), or null when they
 * are not a member. DiscordUnavailableError when Discord cannot be reached: callers refuse rather than guess.
 */
export async function currentMemberFacts(directory: GuildDirectory, guildId: string, userId: string): Promise<MemberFacts | null> {
  let member: GuildMember | null;
  let hasAdministratorPermission = false;
  try {
    member = await directory.member(guildId, userId);
    if (member) hasAdministratorPermission = await directory.grantsAdministrator(guildId, member.roleIds);
  } catch {
    throw new DiscordUnavailableError(`Discord could not be reached to read the roles of member ${userId}; try again shortly.`);
  }
  return member && { userId, roleIds: member.roleIds, hasAdministratorPermission };
}
