import { grantsHeld } from '../../activities/grants';
import { DiscordUnavailableError, type GuildDirectory } from '../../lib/discord/guild-directory';
import { currentMemberFacts, guildMemberLevel } from '../../lib/guild-levels';
import type { PrismaClient } from '../../prisma/client';
import type { GuildAccess } from './jwt';

/**
 * The person's level and grants in each server Guildflow serves (a row in `guilds`) among those Discord
 * listed for them, decided exactly as the bot decides it: what Discord says of the member now (through
 * the directory), the guild's admin/mod roles, and their grants. Servers they have left are dropped.
 * Discord unreachable is a 503: never a guessed level.
 */
export async function guildAccessOf(prisma: PrismaClient, directory: GuildDirectory | undefined, userId: string, discordGuildIds: readonly string[]): Promise<Record<string, GuildAccess>> {
  if (!discordGuildIds.length) return {};
  if (!directory) throw new DiscordUnavailableError('This API process has no Discord connection (DISCORD_TOKEN) to read the member’s roles.');
  const served = await prisma.guild.findMany({ where: { id: { in: [...discordGuildIds] } }, select: { id: true }, orderBy: { id: 'asc' } });
  const access: Record<string, GuildAccess> = {};
  for (const { id } of served) {
    const member = await currentMemberFacts(directory, id, userId);
    if (!member) continue;
    access[id] = { level: await guildMemberLevel(prisma, id, member), grants: await grantsHeld(prisma, id, userId, member.roleIds) };
  }
  return access;
}
