import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type Interaction } from 'discord.js';
import { customId } from '../lib/discord/custom-id';
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

type ActionStyle = ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success | ButtonStyle.Danger;

/** One row of buttons whose custom ids are `gf:{action}:{key}`. */
export function buttonRow(buttons: { action: string; key?: string; label: string; style?: ActionStyle; disabled?: boolean }[]): APIActionRowComponent<APIButtonComponent> {
  return {
    type: ComponentType.ActionRow,
    components: buttons.map((b) => ({
      type: ComponentType.Button,
      style: b.style ?? ButtonStyle.Secondary,
      label: b.label,
      custom_id: customId(b.action, b.key ?? ''),
      disabled: b.disabled ?? false,
    })),
  };
}
