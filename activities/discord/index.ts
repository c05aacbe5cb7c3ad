export { createDiscordActivities, type DiscordActivities, type DiscordFile, type DiscordMessage, type InteractionReply, type RoleChangeInput } from './activities';
export { toDiscordFailure } from './errors';
export { closeDiscordRest, createDiscordRest } from './rest';
