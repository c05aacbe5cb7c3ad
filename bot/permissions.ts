import { PermissionFlagsBits, type Interaction } from 'discord.js';
import { memberAccess, type AccessCheck } from '../activities/grants';
import { guildMemberLevel, type MemberFacts } from '../lib/guild-levels';
import type { Need } from '../lib/grants';
import type { PermissionLevel } from '../lib/permissions';
import type { PrismaClient } from '../prisma/client';

/** What the interaction says about its member; null in DMs. */
export function interactionMember(interaction: Interaction): MemberFacts | null {
  if (!interaction.inGuild()) return null;
  const member = interaction.member;
  return {
    userId: interaction.user.id,
    guildOwnerId: interaction.guild?.ownerId,
    roleIds: Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()],
    hasAdministratorPermission: interaction.memberPermissions?.has(PermissionFlagsBits.Administrator) ?? false,
  };
}

/**
 * The member's level in the guild the interaction comes from: owner, then the configured admin/mod roles
 * (or Discord's Administrator permission). In DMs everyone is a plain user.
 */
export async function interactionLevel(interaction: Interaction, prisma: PrismaClient): Promise<PermissionLevel> {
  const member = interactionMember(interaction);
  return member ? guildMemberLevel(prisma, interaction.guildId!, member) : 'user';
}

/** May the interaction's member do it (their level, or a grant the action names)? In DMs only what a user may. */
export async function interactionAccess(interaction: Interaction, prisma: PrismaClient, need: Need): Promise<AccessCheck> {
  const member = interactionMember(interaction);
  if (!member) return { level: 'user', grants: [], allowed: need.level === 'user' };
  return memberAccess(prisma, interaction.guildId!, member, need);
}
