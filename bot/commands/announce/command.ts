import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { cancelAnnouncement, getAnnouncement, unpinAnnouncement } from '../../../activities/announcements';
import { customId } from '../../../lib/discord/custom-id';
import { AppError } from '../../../lib/errors';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';
import { announceData } from './definitions';
import { ACTIONS, context, done, modal, when } from './shared';
import { announceTaskCard } from './task';

/**
 * `/announce create|edit|cancel|list|unpin|task` (admins). Create: the command picks the channel, the role to ping
 * and pinning; a modal asks for title, text, colour, image URL and an optional send time; the admin then
 * sees an ephemeral preview — exactly the message that will be posted — with Post / Cancel buttons. Post
 * schedules it (announcement:{id}, a Temporal timer for a send time), Cancel drops the draft. Edit (modal
 * prefilled) and cancel work before sending and after (an edit then edits the message, a cancel takes it
 * down). Unpin unpins a sent one's message (its sync flow does it); task previews a task's card. The
 * announcement id is the creating interaction's id.
 */
export const announceCommand: Command = {
  level: 'admin',
  grant: 'manage_announcements',
  data: announceData,
  async handle(interaction: ChatInputCommandInteraction, deps) {
    const guildId = guildIdOf(interaction);
    const sub = interaction.options.getSubcommand();
    if (sub === 'create') {
      const channel = interaction.options.getChannel('channel', true);
      const ping = interaction.options.getRole('ping')?.id ?? '0';
      const pin = interaction.options.getBoolean('pin') ? '1' : '0';
      await interaction.showModal(modal(customId(ACTIONS.newModal, `${channel.id}.${ping}.${pin}`), 'New announcement'));
    } else if (sub === 'edit') {
      const a = await getAnnouncement(deps.prisma, guildId, interaction.options.getString('id', true));
      if (a.status === 'cancelled' || a.status === 'deleted') throw new AppError('conflict', `This announcement is ${a.status}; it can no longer be edited.`);
      await interaction.showModal(modal(customId(ACTIONS.editModal, a.id), 'Edit announcement', a));
    } else if (sub === 'cancel') {
      const a = await cancelAnnouncement(context(deps), guildId, interaction.options.getString('id', true));
      await interaction.reply({
        flags: MessageFlags.Ephemeral,
        ...done('info', a.status === 'deleted' ? 'Announcement taken down' : 'Announcement cancelled', a.status === 'deleted' ? 'Its message is being deleted.' : 'It will not be sent.', a.id),
      });
    } else if (sub === 'task') {
      await announceTaskCard(interaction, deps);
    } else if (sub === 'unpin') {
      const a = await unpinAnnouncement(context(deps), guildId, interaction.options.getString('id', true), { actorType: 'user', actorId: `discord:${interaction.user.id}` });
      await interaction.reply({ flags: MessageFlags.Ephemeral, ...done('success', 'Announcement unpinned', `Its message in <#${a.channelId}> is being unpinned.`, a.id) });
    } else {
      const items = await deps.prisma.announcement.findMany({ where: { guildId, status: { in: ['draft', 'scheduled', 'sent'] } }, orderBy: { createdAt: 'desc' }, take: 15 });
      const lines = items.map((a) => `\`${a.id}\` **${a.title.slice(0, 60)}** — ${a.status}${a.status === 'scheduled' ? ` ${when(a.sendAt)}` : ''} in <#${a.channelId}>`);
      await interaction.reply({ flags: MessageFlags.Ephemeral, ...done('info', 'Announcements', lines.join('\n') || 'None yet: /announce create.', 'list') });
    }
  },
};
