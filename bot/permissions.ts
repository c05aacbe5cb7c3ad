import { PermissionFlagsBits, type Interaction } from 'discord.js';
import { guildMemberLevel } from '../lib/guild-levels';
import type { PermissionLevel } from '../lib/permissions';
import type { PrismaClient } from '../prisma/client';

/**
 * The member's level in the guild the interaction comes from: owner, then the configured admin/mod roles
 * (or Discord's Administrator permission). In DMs everyone is a plain user.
 */
export async function interactionLevel(interaction: Interaction, prisma: PrismaClient): Promise<PermissionLevel> {
  if (!interaction.inGuild()) return 'user';
  const member = interaction.member;
  return guildMemberLevel(prisma, interaction.guildId, {
    userId: interaction.user.id,
    guildOwnerId: interaction.guild?.ownerId,
    roleIds: Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()],
    hasAdministratorPermission: interaction.memberPermissions?.has(PermissionFlagsBits.Administrator) ?? false,
  });
}
