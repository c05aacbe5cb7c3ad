import { ButtonStyle, MessageFlags, TextInputStyle, type APIModalInteractionResponseCallbackData, type InteractionReplyOptions } from 'discord.js';
import type { AuditActor } from '../../../activities/shop';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { EmbedDraft, SavedEmbed } from '../../../prisma/client';
import type { ComponentInteraction } from '../../command';
import { buttonRow, colourHex, textInputRow } from '../../interaction';
import type { APIEmbed } from 'discord-api-types/v10';

/** What /embed and its modals and buttons share: custom ids, the form, the previews, the replies. */

export const EMBED_ACTIONS = {
  createModal: 'embed-new',
  editModal: 'embed-edit',
  save: 'embed-save',
  discard: 'embed-discard',
  post: 'embed-post',
  cancel: 'embed-cancel',
} as const;

export const actorOf = (interaction: { user: { id: string } }): AuditActor => ({ actorType: 'user', actorId: `discord:${interaction.user.id}` });

type Content = Pick<SavedEmbed, 'title' | 'description' | 'colour' | 'imageUrl' | 'footer'>;

export function embedModal(custom: string, title: string, e?: Content): APIModalInteractionResponseCallbackData {
  return {
    title,
    custom_id: custom,
    components: [
      textInputRow('title', 'Title', TextInputStyle.Short, true, 256, e?.title),
      textInputRow('description', 'Description', TextInputStyle.Paragraph, true, 4000, e?.description),
      textInputRow('colour', 'Colour (hex, optional)', TextInputStyle.Short, false, 9, colourHex(e?.colour), '#5865F2'),
      textInputRow('image', 'Image URL (optional)', TextInputStyle.Short, false, 2000, e?.imageUrl),
      textInputRow('footer', 'Footer (optional)', TextInputStyle.Short, false, 2048, e?.footer),
    ],
  };
}

export function formFields(interaction: ComponentInteraction) {
  if (!interaction.isModalSubmit()) throw new AppError('invalid_component', 'This is not an embed form.');
  const get = (id: string) => interaction.fields.getTextInputValue(id) ?? '';
  return { title: get('title'), description: get('description'), colour: get('colour') || null, imageUrl: get('image') || null, footer: get('footer') || null };
}

/** The embed as it will be posted (a saved embed's footer replaces Guildflow's, as on the announcement). */
function embedOf(e: Content): APIEmbed {
  const embed = guildflowEmbed({ outcome: 'info', title: e.title ?? '', description: e.description ?? undefined, colour: e.colour, imageUrl: e.imageUrl });
  return e.footer ? { ...embed, footer: { text: e.footer } } : embed;
}

/** The form's preview with Save / Cancel: nothing is saved yet. */
export function draftPreview(d: EmbedDraft, replacing: boolean): InteractionReplyOptions & { flags: MessageFlags.Ephemeral } {
  const about = guildflowEmbed({ outcome: 'pending', title: 'Preview — nothing is saved yet', description: `${replacing ? 'Replaces' : 'Saves'} the embed **${d.name}**. Save it, or cancel.` });
  return {
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
    embeds: [about, embedOf(d)],
    components: [
      buttonRow([
        { action: EMBED_ACTIONS.save, key: d.id, label: 'Save', style: ButtonStyle.Success },
        { action: EMBED_ACTIONS.discard, key: d.id, label: 'Cancel', style: ButtonStyle.Secondary },
      ]),
    ],
  };
}

export const reply = (outcome: 'success' | 'info', title: string, description: string) => ({
  embeds: [guildflowEmbed({ outcome, title, description })],
  components: [],
  allowedMentions: { parse: [] },
});
