import { give } from '../../../activities/economy';
import { createLedger } from '../../../activities/ledger';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import type { Command } from '../../command';
import { giveData } from './definitions';
import { guildIdOf } from '../../interaction';

/**
 * `/give user amount [note]`: one ledger movement keyed by the interaction id, so a retried interaction
 * gives once. The gift is announced in the channel (without balances); refusals only to the giver.
 */
export const giveCommand: Command = {
  data: giveData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const to = interaction.options.getUser('user', true);
    const result = await give(createLedger(prisma), {
      guildId,
      fromUserId: interaction.user.id,
      // Discord resolves a member for the option only when the user is in this server.
      to: { id: to.id, bot: to.bot, member: interaction.options.getMember('user') !== null },
      amount: BigInt(interaction.options.getInteger('amount', true)),
      note: interaction.options.getString('note'),
      interactionId: interaction.id,
    });
    const amount = result.entry.postings.find((p) => p.amount > 0n)?.amount ?? 0n;
    await interaction.reply({
      allowedMentions: { parse: [] },
      embeds: [
        guildflowEmbed({
          outcome: 'success',
          title: 'Gift sent',
          description: `<@${interaction.user.id}> gave <@${to.id}> **${formatAmount(result.currency, amount)}**.${result.entry.reason ? `\n> ${result.entry.reason}` : ''}`,
        }),
      ],
    });
  },
};
