import { FEATURE_SWITCHES, FeatureDisabledError, switchesOf, type FeatureSwitch } from './features';
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
