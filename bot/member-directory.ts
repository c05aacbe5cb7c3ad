import type { Guild, GuildMember, PartialGuildMember } from 'discord.js';
import { markMemberLeft, replaceGuildMembers, saveMembers, type MemberRecord } from '../lib/member-directory';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../prisma/client';

/** A gateway member as the directory stores it. */
function memberRecord(member: GuildMember): MemberRecord {
  return {
    userId: member.id,
    username: member.user.username,
    displayName: member.displayName,
    avatarUrl: member.displayAvatarURL(),
    isBot: member.user.bot,
    joinedAt: member.joinedAt,
  };
}

/**
 * Keeps the `members` table (lib/member-directory.ts) in step with the gateway: the whole list of a guild
 * when the bot gets it (READY, GUILD_CREATE: `syncGuildMembers`), then each join, change and leave. Needs
 * the GuildMembers intent (bot/run.ts asks for it). Failures are logged, never thrown: the directory is
 * for the dashboard, and the next READY or member event repairs it.
 */
export function memberDirectory(prisma: PrismaClient, log: Logger) {
  const logged = (what: string, ids: Record<string, string>) => (err: unknown) => log.error({ err, ...ids }, what);
  return {
    /** The guild's whole list from the gateway (op 8 chunks), then stored; members not in it are marked left. */
    async syncGuildMembers(guild: Guild): Promise<void> {
      const fetchedFrom = new Date();
      try {
        const members = await guild.members.fetch();
        await replaceGuildMembers(prisma, guild.id, [...members.values()].map(memberRecord), fetchedFrom);
        log.debug({ guildId: guild.id, members: members.size }, 'member directory synced');
      } catch (err) {
        logged('could not sync the member directory', { guildId: guild.id })(err);
      }
    },
    saved: (member: GuildMember) => saveMembers(prisma, member.guild.id, [memberRecord(member)]).catch(logged('could not save a member', { guildId: member.guild.id, userId: member.id })),
    left: (member: GuildMember | PartialGuildMember) => markMemberLeft(prisma, member.guild.id, member.id).catch(logged('could not mark a member left', { guildId: member.guild.id, userId: member.id })),
  };
}
