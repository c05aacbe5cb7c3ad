import { z } from 'zod';
import { snowflake } from '../discord/snowflake';

/** A guild's settings as the API changes them and the dashboard's settings form checks them. */

/**
 * The features a server can switch off (lib/features.ts says what each covers). Defined here so the
 * dashboard's form checks the same names the API accepts.
 */
export const FEATURE_SWITCHES = ['economy', 'shop', 'tasks', 'verification', 'codeShop', 'trades', 'announcements', 'cards'] as const;

/** What a person reads for each switch (bot, API and dashboard alike). */
export const FEATURE_LABELS: Readonly<Record<(typeof FEATURE_SWITCHES)[number], string>> = {
  economy: 'Economy',
  shop: 'Shop',
  tasks: 'Tasks',
  verification: 'Roblox verification',
  codeShop: 'Code shop (code orders and top-ups)',
  trades: 'Roblox trades',
  announcements: 'Announcements',
  cards: 'Card trading',
};

export const guildSettingsPatch = z
  .object({
    adminRoleIds: z.array(snowflake).max(25),
    modRoleIds: z.array(snowflake).max(25),
    verifiedRoleId: snowflake.nullable(),
    unverifiedRoleId: snowflake.nullable(),
    adminLogChannelId: snowflake.nullable(),
    locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a locale such as en or pt-BR'),
    /** The feature switches that are off; features not listed are on. */
    disabledFeatures: z.array(z.enum(FEATURE_SWITCHES)).max(FEATURE_SWITCHES.length),
  })
  .partial()
  .strict();
