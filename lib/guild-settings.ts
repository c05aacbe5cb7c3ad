import type { GuildSettings, PrismaClient } from '../prisma/client';

/** The guild-wide settings admins change (the API, /setup wizard and /setup features). */
export type GuildSettingsPatch = Partial<Pick<GuildSettings, 'adminRoleIds' | 'modRoleIds' | 'verifiedRoleId' | 'unverifiedRoleId' | 'adminLogChannelId' | 'locale' | 'disabledFeatures'>>;

/**
 * Changes a guild's settings (creating the row on first use) and audits the change as
 * `guild_settings.updated` in the same transaction. Ids in the patch must already be checked to be the guild's.
 */
export async function updateGuildSettings(
  prisma: PrismaClient,
  guildId: string,
  patch: GuildSettingsPatch,
  actor: { actorType: 'user' | 'api_token' | 'system'; actorId: string },
): Promise<GuildSettings> {
  const [settings] = await prisma.$transaction([
    prisma.guildSettings.upsert({ where: { guildId }, create: { guildId, ...patch }, update: patch }),
    prisma.auditEvent.create({ data: { guildId, ...actor, action: 'guild_settings.updated', targetType: 'guild', targetId: guildId, data: patch } }),
  ]);
  return settings;
}
