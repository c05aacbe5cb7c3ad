import { REST } from '@discordjs/rest';
import type { Config } from '../config';

/**
 * The Discord REST client of the worker and the API (@discordjs/rest, re-exported by discord.js): activities send
 * messages, DMs and role changes through it; the worker needs no gateway connection.
 *
 * Retries belong to Temporal, not to the client: one quick retry of a 5xx/timeout here, and a 429 is
 * thrown (RateLimitError) so the activity fails retryably with Discord's retry-after as its next delay
 * instead of sleeping inside an activity past its timeout.
 *
 * Returns null without DISCORD_TOKEN: the Discord activities then fail non-retryably and say so.
 */
export function createDiscordRest(config: Pick<Config, 'DISCORD_TOKEN' | 'DISCORD_API_URL'>): REST | null {
  if (!config.DISCORD_TOKEN) return null;
  return new REST({ api: config.DISCORD_API_URL, retries: 1, timeout: 10_000, rejectOnRateLimit: () => true }).setToken(config.DISCORD_TOKEN);
}

/** Stops the client's sweeper timers (the process can then exit). */
export function closeDiscordRest(rest: REST | null | undefined): void {
  rest?.clearHashSweeper();
  rest?.clearHandlerSweeper();
}
