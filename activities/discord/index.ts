export { createDiscordActivities, type DiscordMessage } from './activities';
export { toDiscordFailure } from './errors';
