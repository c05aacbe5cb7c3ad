import type { Client, Interaction } from 'discord.js';
import { createGuildDirectory, requireInGuild, type GuildDirectory, type ScopedIds } from '../lib/discord/guild-directory';
import { guildIdOf } from './interaction';

/** One directory (one cache) per bot client, on the client's own REST. */
const directories = new WeakMap<Client, GuildDirectory>();

/**
 * Refuses channel, role and member ids that are not the interaction's guild's, before they are stored or
 * used. Command options are resolved by Discord, but a modal's or button's custom id carries ids the
 * client sent back: data, never proof of scope. The field names are the option names the admin sees.
 */
export function requireInInteractionGuild(interaction: Interaction, ids: ScopedIds): Promise<void> {
  let directory = directories.get(interaction.client);
  if (!directory) directories.set(interaction.client, (directory = createGuildDirectory(interaction.client.rest)));
  return requireInGuild(directory, guildIdOf(interaction), ids);
}
