import { ApplicationFailure } from '@temporalio/common';
import type { REST } from '@discordjs/rest';
import type { APIAllowedMentions } from 'discord-api-types/v10';
import { createGuildDirectory, type GuildDirectory } from '../../lib/discord/guild-directory';
import { DISCORD_FAILURES } from '../../lib/flows/discord';
import { discordNotConfigured, toDiscordFailure } from './errors';

/**
 * The check an activity makes before it posts: the channel (and any role it pings) must belong to the
 * flow's guild. Ids stored before they were checked at write time, or a channel that moved, must not make
 * the bot post — with its own token, which reaches every guild — into another guild.
 */
export function guildScope(deps: { discord?: REST | null; guildDirectory?: GuildDirectory | null }) {
  const directory = deps.guildDirectory ?? (deps.discord ? createGuildDirectory(deps.discord) : null);
  const dir = (what: string): GuildDirectory => {
    if (!directory) throw discordNotConfigured(what);
    return directory;
  };
  /** Whether the channel is the guild's; Discord failing throws (the caller's retry policy decides). */
  const isGuildChannel = async (guildId: string, channelId: string): Promise<boolean> => (await dir('check channels').channel(guildId, channelId)) !== null;
  return {
    /** The directory the checks use (null without Discord), for activities that ask it other questions. */
    directory,
    isGuildChannel,
    /** The same as an activity failure: non-retryable `DiscordNotInGuild` when it is not, retryable when Discord fails. */
    async requireGuildChannel(guildId: string, channelId: string, what: string): Promise<void> {
      let ok: boolean;
      try {
        ok = await isGuildChannel(guildId, channelId);
      } catch (err) {
        throw toDiscordFailure(err, `check the channel <#${channelId}> before it could ${what}`);
      }
      if (!ok) {
        throw ApplicationFailure.nonRetryable(
          `Guildflow did not ${what}: <#${channelId}> is not a channel of this server (or Guildflow cannot see it). Choose a channel of this server.`,
          DISCORD_FAILURES.notInGuild,
        );
      }
    },
    /** The message with role pings limited to the guild's own roles. */
    async onlyGuildPings<M extends { allowed_mentions?: APIAllowedMentions }>(guildId: string, message: M): Promise<M> {
      const roles = message.allowed_mentions?.roles;
      if (!roles?.length) return message;
      const d = dir('check roles');
      const own = [];
      for (const r of roles) if (await d.hasRole(guildId, r)) own.push(r);
      return own.length === roles.length ? message : { ...message, allowed_mentions: { ...message.allowed_mentions, roles: own } };
    },
  };
}

export type GuildScope = ReturnType<typeof guildScope>;
