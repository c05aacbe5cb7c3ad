import { PermissionFlagsBits, type Interaction } from 'discord.js';
import { memberLevel, type PermissionLevel } from '../lib/permissions';
import type { PrismaClient } from '../prisma/client';

/**
 * The member's level in the guild the interaction comes from: owner, then the configured admin/mod roles
 * (or Discord's Administrator permission). In DMs everyone is a plain user.
 */
export async function interactionLevel(interaction: Interaction, prisma: PrismaClient): Promise<PermissionLevel> {
  if (!interaction.inGuild()) return 'user';
  const settings = await prisma.guildSettings.findUnique({ where: { guildId: interaction.guildId }, select: { adminRoleIds: true, modRoleIds: true } });
  const member = interaction.member;
  const roleIds = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  return memberLevel({
    userId: interaction.user.id,
    guildOwnerId: interaction.guild?.ownerId ?? (await prisma.guild.findUnique({ where: { id: interaction.guildId }, select: { ownerId: true } }))?.ownerId ?? '',
    roleIds,
    adminRoleIds: settings?.adminRoleIds ?? [],
    modRoleIds: settings?.modRoleIds ?? [],
    hasAdministratorPermission: interaction.memberPermissions?.has(PermissionFlagsBits.Administrator) ?? false,
  });
}
