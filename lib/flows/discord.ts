/**
 * Discord's answers as flows see them: the ApplicationFailure types activities/discord raises. The
 * refusals are the ones a retry cannot fix (missing permission, role above the bot's, unknown
 * role/member/channel, closed DMs); outages (5xx, 429, timeouts) stay retryable.
 */
export const DISCORD_FAILURES = {
  notConfigured: 'DiscordNotConfigured',
  missingPermissions: 'DiscordMissingPermissions',
  unknownRole: 'DiscordUnknownRole',
  unknownMember: 'DiscordUnknownMember',
  unknownChannel: 'DiscordUnknownChannel',
  /** A stored channel or role id that is not the flow's guild's: nothing is posted or pinged there. */
  notInGuild: 'DiscordNotInGuild',
  cannotDm: 'DiscordCannotDm',
  interactionExpired: 'DiscordInteractionExpired',
  rejected: 'DiscordRequestRejected',
  unavailable: 'DiscordUnavailable',
  rateLimited: 'DiscordRateLimited',
} as const;

/** The non-retryable ones, for a flow's failure list. */
export const DISCORD_REFUSALS: readonly string[] = [
  DISCORD_FAILURES.notConfigured,
  DISCORD_FAILURES.missingPermissions,
  DISCORD_FAILURES.unknownRole,
  DISCORD_FAILURES.unknownMember,
  DISCORD_FAILURES.unknownChannel,
  DISCORD_FAILURES.notInGuild,
  DISCORD_FAILURES.cannotDm,
  DISCORD_FAILURES.interactionExpired,
  DISCORD_FAILURES.rejected,
];
