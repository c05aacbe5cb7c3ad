import { type APIApplicationCommandOption, ApplicationCommandOptionType, type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import { NOTIFY_VIA, requestEmailAddress, setNotifyVia } from '../../../activities/notify';
import type { BotDeps } from '../../deps';

/**
 * `/cards email set address:` and `/cards notify via:` — a member's card trade notification settings.
 * The `/cards` command belongs to the card catalog; these are its subcommands, added there at merge:
 * `options: [...catalogOptions, ...cardEmailSubcommands()]` and, in its handler,
 * `if (await handleCardEmailSubcommand(interaction, deps)) return;`.
 */
export function cardEmailSubcommands(): APIApplicationCommandOption[] {
  return [
    {
      type: ApplicationCommandOptionType.SubcommandGroup,
      name: 'email',
      description: 'Your email for card trade notifications',
      options: [
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'set',
          description: 'Send a confirmation link to this address (it counts once you open the link)',
          options: [{ type: ApplicationCommandOptionType.String, name: 'address', description: 'Your email address', required: true, max_length: 254 }],
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'notify',
      description: 'How you are told about card trades',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'via',
          description: 'Email (a confirmed address), Discord DM, both, or none',
          required: true,
          choices: NOTIFY_VIA.map((v) => ({ name: v, value: v })),
        },
      ],
    },
  ];
}

/** Answers `/cards email set` and `/cards notify`; false for any other `/cards` subcommand. */
export async function handleCardEmailSubcommand(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<boolean> {
  const group = interaction.options.getSubcommandGroup(false);
  const sub = interaction.options.getSubcommand(false);
  if (group === 'email' && sub === 'set') {
    // Sending the email may take longer than Discord's 3 s.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const address = interaction.options.getString('address', true);
    const { expiresAt } = await requestEmailAddress(deps, { userId: interaction.user.id, address });
    await interaction.editReply(`I sent a confirmation link to that address. Open it before <t:${Math.floor(expiresAt.getTime() / 1000)}:f>; until then your notifications stay as they are.`);
    return true;
  }
  if (group === null && sub === 'notify') {
    const { notifyVia, emailConfirmed } = await setNotifyVia(deps, { userId: interaction.user.id, via: interaction.options.getString('via', true) });
    const needsEmail = (notifyVia === 'email' || notifyVia === 'both') && !emailConfirmed;
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      content: `Card trade notifications: **${notifyVia}**.${needsEmail ? ' You have no confirmed email yet: use `/cards email set` first, until then no email is sent.' : ''}`,
    });
    return true;
  }
  return false;
}
