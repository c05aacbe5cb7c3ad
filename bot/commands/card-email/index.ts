import { type APIApplicationCommandOption, ApplicationCommandOptionType, type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import { NOTIFY_VIA, requestEmailAddress, setNotifyVia } from '../../../activities/notify';
import type { BotDeps } from '../../deps';

/**
 * `/cards email set address:` and `/cards notify via:` — a member's card trade notification settings.
 * Subcommands of the catalog's `/cards` (bot/commands/cards), which finds their handlers in `cardEmailHandlers`.
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

type CardEmailHandler = (interaction: ChatInputCommandInteraction, deps: BotDeps) => Promise<void>;

/** `/cards email set`: a confirmation link to the address; it becomes the member's only once opened. */
const emailSet: CardEmailHandler = async (interaction, deps) => {
  // Sending the email may take longer than Discord's 3 s.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const address = interaction.options.getString('address', true);
  const { expiresAt } = await requestEmailAddress(deps, { userId: interaction.user.id, address });
  await interaction.editReply(`I sent a confirmation link to that address. Open it before <t:${Math.floor(expiresAt.getTime() / 1000)}:f>; until then your notifications stay as they are.`);
};

/** `/cards notify`: how the member hears about their trades. */
const notify: CardEmailHandler = async (interaction, deps) => {
  const { notifyVia, emailConfirmed } = await setNotifyVia(deps, { userId: interaction.user.id, via: interaction.options.getString('via', true) });
  const needsEmail = (notifyVia === 'email' || notifyVia === 'both') && !emailConfirmed;
  await interaction.reply({
    flags: MessageFlags.Ephemeral,
    content: `Card trade notifications: **${notifyVia}**.${needsEmail ? ' You have no confirmed email yet: use `/cards email set` first, until then no email is sent.' : ''}`,
  });
};

/** The handlers of the subcommands above, by `group sub` (as /cards finds them). */
export const cardEmailHandlers: Readonly<Record<string, CardEmailHandler>> = { 'email set': emailSet, notify };
