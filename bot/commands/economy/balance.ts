import { MessageFlags } from 'discord.js';
import { currencyOf } from '../../../activities/economy';
import { createLedger, userAccount } from '../../../activities/ledger';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import type { Command } from '../../command';
import { balanceData } from './definitions';
import { guildIdOf } from '../../interaction';

/** `/balance [user]`: a balance, shown only to whoever asked. */
export const balanceCommand: Command = {
  data: balanceData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const target = interaction.options.getUser('user') ?? interaction.user;
    const ledger = createLedger(prisma);
    const [currency, balance] = await Promise.all([currencyOf(ledger, guildId), ledger.balance(guildId, userAccount(target.id), 'currency')]);
    const own = target.id === interaction.user.id;
    const lines = [`${own ? 'You have' : `<@${target.id}> has`} **${formatAmount(currency, balance.available)}**.`];
    if (balance.held > 0n) lines.push(`${formatAmount(currency, balance.held)} more is held for pending purchases or trades.`);
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      embeds: [guildflowEmbed({ outcome: 'info', title: own ? 'Your balance' : `${target.displayName}’s balance`, description: lines.join('\n') })],
    });
  },
};
