import {
  ButtonStyle,
  MessageFlags,
  TextInputStyle,
  type APIModalInteractionResponseCallbackData,
  type InteractionReplyOptions,
} from 'discord.js';
import { announcementMessage, type AnnouncementContext } from '../../../activities/announcements';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError, ValidationError } from '../../../lib/errors';
import { announcementFlowId } from '../../../lib/flows/announcements';
import type { Announcement } from '../../../prisma/client';
import type { ComponentInteraction } from '../../command';
import type { BotDeps } from '../../deps';
import { buttonRow, colourHex, textInputRow } from '../../interaction';

/** What the /announce command and its modals and buttons share: custom ids, the form, the preview, the replies. */

export const ACTIONS = { newModal: 'announce-new', editModal: 'announce-edit', post: 'announce-post', cancel: 'announce-cancel' } as const;

export const context = (deps: BotDeps): AnnouncementContext => ({ prisma: deps.prisma, temporal: deps.temporal, taskQueue: deps.taskQueue });

/** "in 10m", "+2h", "90s", "1d", or a date and time (UTC unless it says otherwise); empty = now. */
export function parseSendTime(raw: string | null | undefined, now = new Date()): Date | null {
  const text = raw?.trim() ?? '';
  if (!text || /^now$/i.test(text)) return null;
  const rel = /^(?:in\s+|\+)?(\d{1,6})\s*(s|sec|m|min|h|hour|hours|d|day|days)$/i.exec(text);
  if (rel) {
    const unit = rel[2]!.toLowerCase()[0] as 's' | 'm' | 'h' | 'd';
    return new Date(now.getTime() + Number(rel[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit]);
  }
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new ValidationError('Send time: write “in 30m”, “+2h” or a UTC date and time such as 2026-12-24 18:00 (or leave it empty to send now).');
  return at;
}

export function modal(custom: string, title: string, a?: Pick<Announcement, 'title' | 'body' | 'colour' | 'imageUrl' | 'sendAt'>): APIModalInteractionResponseCallbackData {
  return {
    title,
    custom_id: custom,
    components: [
      textInputRow('title', 'Title', TextInputStyle.Short, true, 256, a?.title),
      textInputRow('body', 'Text', TextInputStyle.Paragraph, true, 4000, a?.body),
      textInputRow('colour', 'Colour (hex, optional)', TextInputStyle.Short, false, 9, colourHex(a?.colour), '#5865F2'),
      textInputRow('image', 'Image URL (optional)', TextInputStyle.Short, false, 2000, a?.imageUrl),
      textInputRow('send_at', 'Send time (empty = now)', TextInputStyle.Short, false, 40, a?.sendAt ? a.sendAt.toISOString().slice(0, 16).replace('T', ' ') : null, 'in 30m · +2h · 2026-12-24 18:00 (UTC)'),
    ],
  };
}

export const when = (d: Date | null) => (d ? `<t:${Math.floor(d.getTime() / 1000)}:f> (<t:${Math.floor(d.getTime() / 1000)}:R>)` : 'as soon as you post it');

export function preview(a: Announcement): InteractionReplyOptions & { flags: MessageFlags.Ephemeral } {
  const message = announcementMessage(a);
  const about = guildflowEmbed({
    outcome: 'pending',
    title: 'Preview — nothing is posted yet',
    description: `In <#${a.channelId}>, ${when(a.sendAt)}${a.pingRoleId ? `, pinging <@&${a.pingRoleId}>` : ''}${a.pin ? ', pinned' : ''}.\nPost it, or cancel.`,
    flowId: announcementFlowId(a.id),
  });
  return {
    flags: MessageFlags.Ephemeral,
    content: message.content || undefined,
    allowedMentions: { parse: [] },
    embeds: [about, ...(message.embeds ?? [])],
    components: [
      buttonRow([
        { action: ACTIONS.post, key: a.id, label: a.sendAt ? 'Schedule' : 'Post', style: ButtonStyle.Success },
        { action: ACTIONS.cancel, key: a.id, label: 'Cancel', style: ButtonStyle.Secondary },
      ]),
    ],
  };
}

export const done = (outcome: 'success' | 'info' | 'warning', title: string, description: string, id: string) => ({
  embeds: [guildflowEmbed({ outcome, title, description, flowId: announcementFlowId(id) })],
  components: [],
  allowedMentions: { parse: [] },
});

export function modalFields(interaction: ComponentInteraction) {
  if (!interaction.isModalSubmit()) throw new AppError('invalid_component', 'This is not an announcement form.');
  const get = (id: string) => interaction.fields.getTextInputValue(id) ?? '';
  return { title: get('title'), body: get('body'), colour: get('colour') || null, imageUrl: get('image') || null, sendAt: parseSendTime(get('send_at')) };
}
