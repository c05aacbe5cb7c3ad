import {
  ApplicationCommandOptionType,
  ButtonStyle,
  ChannelType,
  ComponentType,
  MessageFlags,
  PermissionFlagsBits,
  TextInputStyle,
  type APIModalInteractionResponseCallbackData,
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import {
  announcementMessage,
  cancelAnnouncement,
  createAnnouncement,
  editAnnouncement,
  getAnnouncement,
  scheduleAnnouncement,
  type AnnouncementContext,
} from '../../../activities/announcements';
import { customId } from '../../../lib/discord/custom-id';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError, ValidationError } from '../../../lib/errors';
import type { Announcement } from '../../../prisma/client';
import type { BotDeps } from '../../deps';
import type { Command, ComponentHandler, ComponentInteraction } from '../../command';

/**
 * `/announce create|edit|cancel|list` (admins). Create: the command picks the channel, the role to ping
 * and pinning; a modal asks for title, text, colour, image URL and an optional send time; the admin then
 * sees an ephemeral preview — exactly the message that will be posted — with Post / Cancel buttons. Post
 * schedules it (announcement:{id}, a Temporal timer for a send time), Cancel drops the draft. Edit (modal
 * prefilled) and cancel work before sending and after (an edit then edits the message, a cancel takes it
 * down). The announcement id is the creating interaction's id.
 */

const ACTIONS = { newModal: 'announce-new', editModal: 'announce-edit', post: 'announce-post', cancel: 'announce-cancel' } as const;
const idOption = { type: ApplicationCommandOptionType.String, name: 'id', description: 'The announcement id (from /announce list)', required: true, max_length: 64 } as const;

export const announceData = {
  name: 'announce',
  description: 'Post or schedule an announcement (admins)',
  contexts: [0],
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'create',
      description: 'Write an announcement, preview it, then post it now or at a time',
      options: [
        { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Where to post it', required: true, channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement] },
        { type: ApplicationCommandOptionType.Role, name: 'ping', description: 'A role to ping with it' },
        { type: ApplicationCommandOptionType.Boolean, name: 'pin', description: 'Pin the message once posted' },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'edit', description: 'Change an announcement (before or after it is sent)', options: [idOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'cancel', description: 'Cancel a scheduled announcement, or take a sent one down', options: [idOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'Scheduled and recent announcements' },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const context = (deps: BotDeps): AnnouncementContext => ({ prisma: deps.prisma, temporal: deps.temporal, taskQueue: deps.taskQueue });

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

function modal(custom: string, title: string, a?: Pick<Announcement, 'title' | 'body' | 'colour' | 'imageUrl' | 'sendAt'>): APIModalInteractionResponseCallbackData {
  const field = (id: string, label: string, style: TextInputStyle, required: boolean, max: number, value?: string | null, placeholder?: string) => ({
    type: ComponentType.ActionRow as const,
    components: [{ type: ComponentType.TextInput as const, custom_id: id, label, style, required, max_length: max, ...(value ? { value } : {}), ...(placeholder ? { placeholder } : {}) }],
  });
  return {
    title,
    custom_id: custom,
    components: [
      field('title', 'Title', TextInputStyle.Short, true, 256, a?.title),
      field('body', 'Text', TextInputStyle.Paragraph, true, 4000, a?.body),
      field('colour', 'Colour (hex, optional)', TextInputStyle.Short, false, 9, a?.colour != null ? `#${a.colour.toString(16).padStart(6, '0')}` : null, '#5865F2'),
      field('image', 'Image URL (optional)', TextInputStyle.Short, false, 2000, a?.imageUrl),
      field('send_at', 'Send time (empty = now)', TextInputStyle.Short, false, 40, a?.sendAt ? a.sendAt.toISOString().slice(0, 16).replace('T', ' ') : null, 'in 30m · +2h · 2026-12-24 18:00 (UTC)'),
    ],
  };
}

const when = (d: Date | null) => (d ? `<t:${Math.floor(d.getTime() / 1000)}:f> (<t:${Math.floor(d.getTime() / 1000)}:R>)` : 'as soon as you post it');

function preview(a: Announcement): InteractionReplyOptions & { flags: MessageFlags.Ephemeral } {
  const message = announcementMessage(a);
  const about = guildflowEmbed({
    outcome: 'pending',
    title: 'Preview — nothing is posted yet',
    description: `In <#${a.channelId}>, ${when(a.sendAt)}${a.pingRoleId ? `, pinging <@&${a.pingRoleId}>` : ''}${a.pin ? ', pinned' : ''}.\nPost it, or cancel.`,
    flowId: `announcement:${a.id}`,
  });
  return {
    flags: MessageFlags.Ephemeral,
    content: message.content || undefined,
    allowedMentions: { parse: [] },
    embeds: [about, ...(message.embeds ?? [])],
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          { type: ComponentType.Button, style: ButtonStyle.Success, label: a.sendAt ? 'Schedule' : 'Post', custom_id: customId(ACTIONS.post, a.id) },
          { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Cancel', custom_id: customId(ACTIONS.cancel, a.id) },
        ],
      },
    ],
  };
}

const done = (outcome: 'success' | 'info' | 'warning', title: string, description: string, id: string) => ({
  embeds: [guildflowEmbed({ outcome, title, description, flowId: `announcement:${id}` })],
  components: [],
  allowedMentions: { parse: [] },
});

function guildOf(interaction: { guildId: string | null }): string {
  if (!interaction.guildId) throw new AppError('guild_only', 'Announcements are made in a server.');
  return interaction.guildId;
}

export const announceCommand: Command = {
  level: 'admin',
  data: announceData,
  async handle(interaction: ChatInputCommandInteraction, deps) {
    const guildId = guildOf(interaction);
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
    } else {
      const items = await deps.prisma.announcement.findMany({ where: { guildId, status: { in: ['draft', 'scheduled', 'sent'] } }, orderBy: { createdAt: 'desc' }, take: 15 });
      const lines = items.map((a) => `\`${a.id}\` **${a.title.slice(0, 60)}** — ${a.status}${a.status === 'scheduled' ? ` ${when(a.sendAt)}` : ''} in <#${a.channelId}>`);
      await interaction.reply({ flags: MessageFlags.Ephemeral, ...done('info', 'Announcements', lines.join('\n') || 'None yet: /announce create.', 'list') });
    }
  },
};

function modalFields(interaction: ComponentInteraction) {
  if (!interaction.isModalSubmit()) throw new AppError('invalid_component', 'This is not an announcement form.');
  const get = (id: string) => interaction.fields.getTextInputValue(id) ?? '';
  return { title: get('title'), body: get('body'), colour: get('colour') || null, imageUrl: get('image') || null, sendAt: parseSendTime(get('send_at')) };
}

const newModal: ComponentHandler = {
  action: ACTIONS.newModal,
  level: 'admin',
  async handle(interaction, key, deps) {
    const guildId = guildOf(interaction);
    const [channelId, ping, pin] = key.split('.');
    const fields = modalFields(interaction);
    const a = await createAnnouncement(
      context(deps),
      guildId,
      interaction.id,
      { ...fields, sendAt: fields.sendAt?.toISOString() ?? null, channelId: channelId ?? '', pingRoleId: ping && ping !== '0' ? ping : null, pin: pin === '1' },
      `discord:${interaction.user.id}`,
      { draft: true },
    );
    await interaction.reply(preview(a));
  },
};

const editModal: ComponentHandler = {
  action: ACTIONS.editModal,
  level: 'admin',
  async handle(interaction, id, deps) {
    const guildId = guildOf(interaction);
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

const postButton: ComponentHandler = {
  action: ACTIONS.post,
  level: 'admin',
  async handle(interaction, id, deps) {
    const a = await scheduleAnnouncement(context(deps), guildOf(interaction), id);
    const text = a.status === 'sent' ? 'It was already sent.' : a.sendAt && a.sendAt.getTime() > Date.now() ? `It will be sent ${when(a.sendAt)}.` : `Posting it in <#${a.channelId}> now.`;
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a button.');
    await interaction.update(done('success', a.status === 'sent' ? 'Already sent' : 'Announcement scheduled', text, a.id));
  },
};

const cancelButton: ComponentHandler = {
  action: ACTIONS.cancel,
  level: 'admin',
  async handle(interaction, id, deps) {
    const a = await cancelAnnouncement(context(deps), guildOf(interaction), id);
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a button.');
    await interaction.update(done('info', a.status === 'deleted' ? 'Announcement taken down' : 'Announcement cancelled', 'Nothing will be posted.', a.id));
  },
};

export const announceCommands: readonly Command[] = [announceCommand];
export const announceComponents: readonly ComponentHandler[] = [newModal, editModal, postButton, cancelButton];
