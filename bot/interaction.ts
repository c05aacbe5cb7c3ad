import { ComponentType, type Interaction, type TextInputStyle } from 'discord.js';
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

/** One text input of a modal, in its own row as Discord lays modals out; an empty value is left out. */
export function textInputRow(id: string, label: string, style: TextInputStyle, required: boolean, maxLength: number, value?: string | null, placeholder?: string) {
  return {
    type: ComponentType.ActionRow as const,
    components: [{ type: ComponentType.TextInput as const, custom_id: id, label, style, required, max_length: maxLength, ...(value ? { value } : {}), ...(placeholder ? { placeholder } : {}) }],
  };
}

/** A stored colour as a modal shows it to be edited (#rrggbb). */
export const colourHex = (colour: number | null | undefined): string | null => (colour == null ? null : `#${colour.toString(16).padStart(6, '0')}`);
