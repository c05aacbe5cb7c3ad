import { ButtonStyle, MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { deleteEmbed, draftEmbedSend, embedName, getEmbed } from '../../../activities/embeds';
import { customId } from '../../../lib/discord/custom-id';
import type { Command } from '../../command';
import { buttonRow, guildIdOf } from '../../interaction';
import { requireInInteractionGuild } from '../../scope';
import { context, preview } from '../announce/shared';
import { embedData } from './definitions';
import { actorOf, EMBED_ACTIONS, embedModal, reply } from './shared';

/**
 * `/embed create|edit|send|list|delete` (admins). Create and edit open a form (edit prefilled); its
 * preview has Save / Cancel, and only Save stores it. Send turns the saved embed into an announcement
 * draft in the chosen channel: the same preview as /announce, with Post / Cancel for its author; Post
 * sends it through the announcement flow.
 */
export const embedCommand: Command = {
  level: 'admin',
  grant: 'manage_announcements',
  data: embedData,
  async handle(interaction: ChatInputCommandInteraction, deps) {
    const guildId = guildIdOf(interaction);
    const sub = interaction.options.getSubcommand();
    if (sub === 'create') {
      const name = embedName(interaction.options.getString('name', true));
      await interaction.showModal(embedModal(customId(EMBED_ACTIONS.createModal, name), `New embed: ${name}`));
    } else if (sub === 'edit') {
      const e = await getEmbed(deps.prisma, guildId, interaction.options.getString('name', true));
      await interaction.showModal(embedModal(customId(EMBED_ACTIONS.editModal, e.name), `Edit embed: ${e.name}`, e));
    } else if (sub === 'send') {
      const channelId = interaction.options.getChannel('channel', true).id;
      await requireInInteractionGuild(interaction, { channels: { channel: channelId } });
      const a = await draftEmbedSend(context(deps), guildId, interaction.options.getString('name', true), { id: interaction.id, channelId, actor: actorOf(interaction) });
      await interaction.reply({
        ...preview(a),
        components: [
          buttonRow([
            { action: EMBED_ACTIONS.post, key: a.id, label: 'Post', style: ButtonStyle.Success },
            { action: EMBED_ACTIONS.cancel, key: a.id, label: 'Cancel', style: ButtonStyle.Secondary },
          ]),
        ],
      });
    } else if (sub === 'delete') {
      const e = await deleteEmbed(deps.prisma, guildId, interaction.options.getString('name', true), actorOf(interaction));
      await interaction.reply({ flags: MessageFlags.Ephemeral, ...reply('success', 'Embed deleted', `**${e.name}** is gone; posts already made stay.`) });
    } else {
      const items = await deps.prisma.savedEmbed.findMany({ where: { guildId }, orderBy: { name: 'asc' }, take: 25 });
      const lines = items.map((e) => `\`${e.name}\` — ${(e.title ?? '').slice(0, 80)}`);
      await interaction.reply({ flags: MessageFlags.Ephemeral, ...reply('info', 'Saved embeds', lines.join('\n') || 'None yet: /embed create.') });
    }
  },
};
