import { FeatureDisabledError, switchesOf, type FeatureSwitch } from './features';
import { FEATURE_SWITCHES } from './requests/guild-settings';
import type { PrismaClient } from '../prisma/client';
import { updateGuildSettings } from './guild-settings';

/** The guild's switched-off features (none when it has no settings row yet). */
export async function disabledFeatures(prisma: PrismaClient, guildId: string): Promise<Set<FeatureSwitch>> {
  const row = await prisma.guildSettings.findUnique({ where: { guildId }, select: { disabledFeatures: true } });
  return switchesOf(row?.disabledFeatures);
}

/** Refuses with FeatureDisabledError when the feature is switched off in the guild. */
export async function requireSwitchedOn(prisma: PrismaClient, guildId: string, feature: FeatureSwitch): Promise<void> {
  if ((await disabledFeatures(prisma, guildId)).has(feature)) throw new FeatureDisabledError(feature);
}

/**
 * Stores which features are off, with its audit event in the same transaction; the action is the settings
 * API's (`guild_settings.updated`), since the switches are a guild setting.
 */
export async function setDisabledFeatures(
  prisma: PrismaClient,
  guildId: string,
  disabled: Iterable<FeatureSwitch>,
  actor: { actorType: 'user' | 'api_token' | 'system'; actorId: string },
): Promise<FeatureSwitch[]> {
  const off = new Set(disabled);
  // Stored in the canonical order, so equal sets read (and audit) the same.
  const disabledFeatures = FEATURE_SWITCHES.filter((s) => off.has(s));
  await updateGuildSettings(prisma, guildId, { disabledFeatures }, actor);
  return disabledFeatures;
}

/**
 * Switches the named features on (true) or off (false) and leaves the others as they are: the row is locked
 * while the list is read and rewritten, so two admins switching different features at once both count.
 * Audited as setDisabledFeatures is (`guild_settings.updated` with the new `disabledFeatures`), in the same
 * transaction. Returns the switched-off features.
 */
export async function switchFeatures(
  prisma: PrismaClient,
  guildId: string,
  changes: Partial<Record<FeatureSwitch, boolean>>,
  actor: { actorType: 'user' | 'api_token' | 'system'; actorId: string },
): Promise<FeatureSwitch[]> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM guild_settings WHERE guild_id = ${guildId} FOR UPDATE`;
    const row = await tx.guildSettings.findUnique({ where: { guildId }, select: { disabledFeatures: true } });
    const off = switchesOf(row?.disabledFeatures);
    for (const [feature, on] of Object.entries(changes) as [FeatureSwitch, boolean | undefined][]) {
      if (on === true) off.delete(feature);
      else if (on === false) off.add(feature);
    }
    const disabledFeatures = FEATURE_SWITCHES.filter((s) => off.has(s));
    await tx.guildSettings.upsert({ where: { guildId }, create: { guildId, disabledFeatures }, update: { disabledFeatures } });
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'guild_settings.updated', targetType: 'guild', targetId: guildId, data: { disabledFeatures } } });
    return disabledFeatures;
  });
}
