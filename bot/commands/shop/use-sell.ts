import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { assetLabel, findItem, itemLabel, sellItem, useItem, type OwnedItemAction } from '../../../activities/shop';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { PrismaClient } from '../../../prisma/client';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';
import { sellData, useData } from './definitions';

const MAX_QUANTITY = 100;

/** The item and quantity a /use or /sell names, keyed by the interaction (a retried interaction changes nothing twice). */
async function actionOf(interaction: ChatInputCommandInteraction, prisma: PrismaClient, kind: 'use' | 'sell'): Promise<OwnedItemAction> {
  const guildId = guildIdOf(interaction);
  const quantity = interaction.options.getInteger('quantity') ?? 1;
  if (quantity < 1 || quantity > MAX_QUANTITY) throw new AppError('invalid_input', `The quantity must be from 1 to ${MAX_QUANTITY}.`);
  const item = await findItem(prisma, guildId, interaction.options.getString('item', true));
  return { guildId, userId: interaction.user.id, item, quantity, key: `${kind}:${interaction.id}` };
}

const left = (n: number, name: string) => (n === 0 ? `You have no ${name} left.` : `You have ${n} × ${name} left.`);

/** `/use item [quantity]`: consumes units of a usable item the member owns (one audited inventory movement). */
export const useCommand: Command = {
  data: useData,
  async handle(interaction, { prisma }) {
    const action = await actionOf(interaction, prisma, 'use');
    const result = await useItem(prisma, action);
    const label = itemLabel(action.item);
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
      embeds: [guildflowEmbed({ outcome: 'success', title: `Used ${action.quantity} × ${label}`, description: left(result.left, label) })],
    });
  },
};

/** `/sell item [quantity]`: sells units back at the item's sell-back share; items out and money in, in one transaction. */
export const sellCommand: Command = {
  data: sellData,
  async handle(interaction, { prisma }) {
    const action = await actionOf(interaction, prisma, 'sell');
    const result = await sellItem(prisma, action);
    const asset = await assetLabel(prisma, action.guildId, action.item.assetCode);
    const label = itemLabel(action.item);
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
      embeds: [
        guildflowEmbed({
          outcome: 'success',
          title: `Sold ${action.quantity} × ${label}`,
          description: `You got **${formatAmount(asset, result.total)}** (${formatAmount(asset, result.unitPrice)} each).\n${left(result.left, label)}`,
        }),
      ],
    });
  },
};
