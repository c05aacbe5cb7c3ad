import { cancelEmbedSend, draftEmbed, dropDraft, getEmbed, postEmbedSend, saveDraft } from '../../../activities/embeds';
import { AppError } from '../../../lib/errors';
import type { ComponentHandler, ComponentInteraction } from '../../command';
import { guildIdOf } from '../../interaction';
import { context } from '../announce/shared';
import { actorOf, draftPreview, EMBED_ACTIONS, formFields, reply } from './shared';

/**
 * The /embed forms (new, edit), their preview's Save / Cancel, and the send preview's Post / Cancel.
 * Every click checks again, on the stored draft, its guild and its author (the router checks the level).
 */

function button(interaction: ComponentInteraction) {
  if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a button.');
  return interaction;
}

export const createModal: ComponentHandler = {
  action: EMBED_ACTIONS.createModal,
  level: 'admin',
  grant: 'manage_announcements',
  async handle(interaction, name, deps) {
    const guildId = guildIdOf(interaction);
    const replacing = await deps.prisma.savedEmbed.findUnique({ where: { guildId_name: { guildId, name } } });
    if (replacing) throw new AppError('conflict', `There is already an embed named ${name}: /embed edit ${name} changes it.`, 409);
    const d = await draftEmbed(deps.prisma, guildId, interaction.id, { name, ...formFields(interaction) }, actorOf(interaction).actorId);
    await interaction.reply(draftPreview(d, false));
  },
};

export const editModal: ComponentHandler = {
  action: EMBED_ACTIONS.editModal,
  level: 'admin',
  grant: 'manage_announcements',
  async handle(interaction, name, deps) {
    const guildId = guildIdOf(interaction);
    const e = await getEmbed(deps.prisma, guildId, name);
    const d = await draftEmbed(deps.prisma, guildId, interaction.id, { name: e.name, ...formFields(interaction) }, actorOf(interaction).actorId);
    await interaction.reply(draftPreview(d, true));
  },
};

export const saveButton: ComponentHandler = {
  action: EMBED_ACTIONS.save,
  level: 'admin',
  grant: 'manage_announcements',
  async handle(interaction, draftId, deps) {
    const saved = await saveDraft(deps.prisma, guildIdOf(interaction), draftId, actorOf(interaction));
    await button(interaction).update(
      saved ? reply('success', saved.created ? 'Embed saved' : 'Embed updated', `**${saved.embed.name}** is saved: \`/embed send name:${saved.embed.name}\` posts it.`) : reply('info', 'Already saved', 'This form was saved or cancelled already.'),
    );
  },
};

export const discardButton: ComponentHandler = {
  action: EMBED_ACTIONS.discard,
  level: 'admin',
  grant: 'manage_announcements',
  async handle(interaction, draftId, deps) {
    await dropDraft(deps.prisma, guildIdOf(interaction), draftId, actorOf(interaction).actorId);
    await button(interaction).update(reply('info', 'Not saved', 'Nothing was changed.'));
  },
};

export const postButton: ComponentHandler = {
  action: EMBED_ACTIONS.post,
  level: 'admin',
  grant: 'manage_announcements',
  async handle(interaction, id, deps) {
    const a = await postEmbedSend(context(deps), guildIdOf(interaction), id, actorOf(interaction));
    await button(interaction).update(reply('success', a.status === 'sent' ? 'Already sent' : 'Embed posted', `Posting it in <#${a.channelId}>.`));
  },
};

export const cancelButton: ComponentHandler = {
  action: EMBED_ACTIONS.cancel,
  level: 'admin',
  grant: 'manage_announcements',
  async handle(interaction, id, deps) {
    await cancelEmbedSend(context(deps), guildIdOf(interaction), id, actorOf(interaction));
    await button(interaction).update(reply('info', 'Not posted', 'Nothing will be posted.'));
  },
};
