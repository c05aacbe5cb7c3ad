import { MessageFlags } from 'discord.js';
import { claimDaily } from '../../../activities/economy';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import type { Command } from '../../command';
import { dailyData } from './definitions';
import { guildIdOf } from '../../interaction';

/** `/daily`: one transaction (activities/economy/daily.ts); a claim within the cooldown says how long is left. */
export const dailyCommand: Command = {
  data: dailyData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const claim = await claimDaily(prisma, { guildId, userId: interaction.user.id, interactionId: interaction.id });
    const { currency } = claim;
    const bonus = claim.bonus > 0n ? ` (with a ${formatAmount(currency, claim.bonus)} streak bonus)` : '';
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      embeds: [
        guildflowEmbed({
          outcome: 'success',
          title: 'Daily reward claimed',
          description: [
            `You received **${formatAmount(currency, claim.amount)}**${bonus}.`,
            `Streak: **${claim.streak}** in a row. Next claim <t:${Math.ceil(claim.nextClaimAt.getTime() / 1000)}:R>.`,
            `Balance: ${formatAmount(currency, claim.balance)}`,
          ].join('\n'),
        }),
      ],
    });
  },
};
