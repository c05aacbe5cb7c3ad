export { createDiscordActivities, type DiscordActivities, type DiscordFile, type DiscordMessage, type InteractionReply, type RoleChangeInput } from './activities';
export { DISCORD_FAILURE_TYPES, NON_RETRYABLE_DISCORD_FAILURES, toDiscordFailure } from './errors';
export { closeDiscordRest, createDiscordRest } from './rest';
