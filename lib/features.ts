import { AppError } from './errors';
import { FEATURE_LABELS, FEATURE_SWITCHES } from './requests/guild-settings';

/**
 * The features a server can switch off. Each switch names one or more registry features (the `switch`
 * key of bot/commands/index.ts) and the API routes that write its data (api/feature-switches.ts); the
 * guild's switched-off ones are stored in GuildSettings.disabledFeatures.
 */
// The names and labels live with the settings request schema (lib/requests/guild-settings.ts), which the
// dashboard's form bundles.
export type FeatureSwitch = (typeof FEATURE_SWITCHES)[number];

/** The stored list as switches; names no longer known are ignored rather than trusted. */
export function switchesOf(stored: readonly string[] | null | undefined): Set<FeatureSwitch> {
  return new Set((stored ?? []).filter((s): s is FeatureSwitch => (FEATURE_SWITCHES as readonly string[]).includes(s)));
}

/** A command, button or API write of a switched-off feature: 409 `feature_disabled`, naming it. */
export class FeatureDisabledError extends AppError {
  constructor(feature: FeatureSwitch) {
    super('feature_disabled', `${FEATURE_LABELS[feature]} is switched off in this server; a server admin can turn it on with /setup features.`, 409, { feature });
  }
}
