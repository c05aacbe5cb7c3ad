import type { Interaction } from 'discord.js';
import { AppError } from '../lib/errors';

/** What every feature's handlers read from an interaction. */

/** The guild an interaction comes from; Guildflow's commands exist only in servers. */
export function guildIdOf(interaction: Interaction): string {
  if (!interaction.inGuild()) throw new AppError('guild_only', 'Use this in a server.');
  return interaction.guildId;
}

/** The member's role ids, as the interaction carries them. */
export function memberRoleIds(interaction: Interaction): string[] {
  if (!interaction.inGuild()) return [];
  const roles = interaction.member.roles;
  return Array.isArray(roles) ? [...roles] : [...roles.cache.keys()];
}

export { buttonRow } from '../lib/discord/buttons';
