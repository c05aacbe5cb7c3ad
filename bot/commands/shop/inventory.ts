import { MessageFlags } from 'discord.js';
import { listInventory } from '../../../activities/shop';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import type { Command } from '../../command';
import { inventoryData } from './definitions';
// Roblox trades: pets and gems are shown under the shop items — the one /inventory command.
import { petPageButtons, tradeInventoryEmbed } from '../trades';
import { guildIdOf } from '../../interaction';

/** `/inventory [user]`: what a member owns, only for the member who asked. */
export const inventoryCommand: Command = {
  data: inventoryData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const user = interaction.options.getUser('user') ?? interaction.user;
    const entries = await listInventory(prisma, guildId, user.id);
    const whose = user.id === interaction.user.id ? 'Your inventory' : `Inventory of ${user.username}`;
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
      embeds: [
        guildflowEmbed({
          outcome: 'info',
          title: whose,
          description: entries.length
            ? entries.map((e) => `**${e.quantity} ×** #${e.itemId} ${e.emoji ? `${e.emoji} ` : ''}${e.name}${e.removed ? ' (no longer sold)' : ''}`).join('\n')
            : user.id === interaction.user.id
              ? 'You own nothing yet: see /shop.'
              : `<@${user.id}> owns nothing yet.`,
        }),
        // Roblox trades: pets and gems, with totals
        await tradeInventoryEmbed(prisma, guildId, user.id),
      ],
      components: await petPageButtons(prisma, guildId, user.id),
    });
  },
};
