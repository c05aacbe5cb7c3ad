import { MessageFlags } from 'discord.js';
import { cancelAnnouncement, createAnnouncement, editAnnouncement, getAnnouncement, scheduleAnnouncement } from '../../../activities/announcements';
import { AppError } from '../../../lib/errors';
import type { ComponentHandler } from '../../command';
import { guildIdOf } from '../../interaction';
import { ACTIONS, context, done, modalFields, preview, when } from './shared';
import { requireInInteractionGuild } from '../../scope';

/** The /announce modals (new, edit) and the preview's Post / Cancel buttons. */

export const newModal: ComponentHandler = {
  action: ACTIONS.newModal,
  level: 'admin',
  grant: 'manage_announcements',
  async handle(interaction, key, deps) {
    const guildId = guildIdOf(interaction);
    const [channelId, ping, pin] = key.split('.');
    const pingRoleId = ping && ping !== '0' ? ping : null;
    await requireInInteractionGuild(interaction, { channels: { channel: channelId }, roles: { ping: pingRoleId } });
    const fields = modalFields(interaction);
    const a = await createAnnouncement(
      context(deps),
      guildId,
      interaction.id,
      { ...fields, sendAt: fields.sendAt?.toISOString() ?? null, channelId: channelId ?? '', pingRoleId, pin: pin === '1' },
      `discord:${interaction.user.id}`,
      { draft: true },
    );
    await interaction.reply(preview(a));
  },
};

export const editModal: ComponentHandler = {
  action: ACTIONS.editModal,
  level: 'admin',
  grant: 'manage_announcements',
  async handle(interaction, id, deps) {
    const guildId = guildIdOf(interaction);
    const fields = modalFields(interaction);
    const current = await getAnnouncement(deps.prisma, guildId, id);
    const patch = {
      title: fields.title,
      body: fields.body,
      colour: fields.colour,
      imageUrl: fields.imageUrl,
      ...(current.status === 'sent' ? {} : { sendAt: fields.sendAt?.toISOString() ?? null }),
    };
    const a = await editAnnouncement(context(deps), guildId, id, patch);
    if (a.status === 'draft') await interaction.reply(preview(a));
    else
      await interaction.reply({
        flags: MessageFlags.Ephemeral,
        ...done('success', 'Announcement updated', a.status === 'sent' ? 'Its message is being edited.' : `It will be sent ${when(a.sendAt)}.`, a.id),
      });
  },
};

export const postButton: ComponentHandler = {
  action: ACTIONS.post,
  level: 'admin',
  grant: 'manage_announcements',
  async handle(interaction, id, deps) {
    const a = await scheduleAnnouncement(context(deps), guildIdOf(interaction), id);
    const text = a.status === 'sent' ? 'It was already sent.' : a.sendAt && a.sendAt.getTime() > Date.now() ? `It will be sent ${when(a.sendAt)}.` : `Posting it in <#${a.channelId}> now.`;
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a button.');
    await interaction.update(done('success', a.status === 'sent' ? 'Already sent' : 'Announcement scheduled', text, a.id));
  },
};

export const cancelButton: ComponentHandler = {
  action: ACTIONS.cancel,
  level: 'admin',
  grant: 'manage_announcements',
  async handle(interaction, id, deps) {
    const a = await cancelAnnouncement(context(deps), guildIdOf(interaction), id);
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a button.');
    await interaction.update(done('info', a.status === 'deleted' ? 'Announcement taken down' : 'Announcement cancelled', 'Nothing will be posted.', a.id));
  },
};
