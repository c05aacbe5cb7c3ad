import { MessageFlags, Routes, type ChatInputCommandInteraction } from 'discord.js';
import {
  addTicketType,
  editTicketType,
  getTicketSettings,
  listTicketTypes,
  panelMessage,
  removeTicketType,
  requireTicketType,
  typeLabel,
  updateTicketSettings,
  type TicketTypePatch,
} from '../../../activities/tickets';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError, ForbiddenError } from '../../../lib/errors';
import { MAX_TICKET_QUESTIONS } from '../../../lib/flows/tickets';
import { changeTicketMember, closeTicket, renameTicket } from '../../../lib/flows/tickets.client';
import { atLeast } from '../../../lib/permissions';
import type { Command } from '../../command';
import type { BotDeps } from '../../deps';
import { guildIdOf } from '../../interaction';
import { interactionLevel } from '../../permissions';
import { requireInInteractionGuild } from '../../scope';
import { parseHoursOrDuration } from '../tasks/shared';
import { ticketData, ticketsData } from './definitions';
import { openOrAsk, requireStaff, ticketActor, ticketHere } from './shared';

const actorOf = (interaction: ChatInputCommandInteraction) => ({ actorType: 'user' as const, actorId: `discord:${interaction.user.id}` });
async function reply(interaction: ChatInputCommandInteraction, title: string, description: string): Promise<void> {
  await interaction.reply({ flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome: 'info', title, description })] });
}

/** The type's fields from the options given (add and edit share them). */
function typePatch(interaction: ChatInputCommandInteraction, staffRoleIds: string[]): TicketTypePatch {
  const o = interaction.options;
  const patch: TicketTypePatch = {};
  const emoji = o.getString('emoji');
  if (emoji !== null) patch.emoji = emoji;
  const category = o.getChannel('category');
  if (category) patch.categoryId = category.id;
  const add = o.getRole('staff_role');
  const remove = o.getRole('remove_staff_role', false);
  if (add || remove) patch.staffRoleIds = [...new Set([...staffRoleIds, ...(add ? [add.id] : [])])].filter((r) => r !== remove?.id);
  const questions = o.getString('questions');
  if (questions !== null) {
    const labels = questions.split('|').map((q) => q.trim()).filter(Boolean);
    if (labels.length > MAX_TICKET_QUESTIONS) throw new AppError('invalid_input', `A form has at most ${MAX_TICKET_QUESTIONS} questions.`, 400);
    patch.questions = labels.map((label) => ({ label, long: label.length > 30, required: true }));
  }
  const limit = o.getInteger('limit');
  if (limit !== null) patch.openLimit = limit;
  const welcome = o.getString('welcome');
  if (welcome !== null) patch.welcome = welcome;
  const idle = o.getString('idle');
  if (idle !== null) patch.idleSeconds = parseHoursOrDuration(idle, 'idle');
  const grace = o.getString('grace');
  if (grace !== null) patch.graceSeconds = parseHoursOrDuration(grace, 'grace');
  return patch;
}

async function requireAdmin(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const level = await interactionLevel(interaction, deps.prisma);
  if (!atLeast(level, 'admin')) throw new ForbiddenError(`Only a server admin can change ticket types, the panel and settings (you are ${level}).`);
}

/** `/tickets` (staff: mods and the Manage tickets grant; types, panel and settings: admins). */
export const ticketsCommand: Command = {
  level: 'mod',
  grant: 'manage_tickets',
  data: ticketsData,
  async handle(interaction, deps) {
    const { prisma } = deps;
    const guildId = guildIdOf(interaction);
    const o = interaction.options;
    const sub = o.getSubcommand();
    if (sub === 'list') return listTickets(interaction, deps);
    await requireAdmin(interaction, deps);
    if (o.getSubcommandGroup() === 'type') {
      const name = o.getString('name', true);
      if (sub === 'remove') {
        const removed = await removeTicketType(prisma, guildId, name, actorOf(interaction));
        return reply(interaction, 'Ticket type removed', `${typeLabel(removed)} is gone; post the panel again to drop its button.`);
      }
      const current = sub === 'edit' ? await requireTicketType(prisma, guildId, name) : null;
      const patch = typePatch(interaction, current?.staffRoleIds ?? []);
      await requireInInteractionGuild(interaction, { channels: { category: patch.categoryId }, roles: { staff_role: patch.staffRoleIds } });
      const rename = o.getString('rename', false);
      const type = current
        ? await editTicketType(prisma, guildId, current.id, { ...patch, ...(rename ? { name: rename } : {}) }, actorOf(interaction))
        : await addTicketType(prisma, guildId, { name, ...patch }, actorOf(interaction));
      const lines = [
        `Staff: ${type.staffRoleIds.length ? type.staffRoleIds.map((r) => `<@&${r}>`).join(', ') : 'mods and admins'}`,
        `Category: ${type.categoryId ? `<#${type.categoryId}>` : 'none'}`,
        `Form: ${(type.questions as { label: string }[]).map((q) => q.label).join(' · ') || 'none'}`,
        `Open at once per member: ${type.openLimit}`,
      ];
      return reply(interaction, current ? `Ticket type ${typeLabel(type)} updated` : `Ticket type ${typeLabel(type)} added`, lines.join('\n'));
    }
    if (sub === 'panel') {
      const channelId = o.getChannel('channel')?.id ?? interaction.channelId;
      await requireInInteractionGuild(interaction, { channels: { channel: channelId } });
      const types = await listTicketTypes(prisma, guildId);
      if (!types.length) throw new AppError('no_ticket_types', 'Add a ticket type first: /tickets type add.');
      await interaction.client.rest.post(Routes.channelMessages(channelId), { body: panelMessage(types) }).catch((err: unknown) => {
        throw new AppError('cannot_post', `Guildflow cannot post in <#${channelId}>: ${(err as Error).message}`, 409);
      });
      return reply(interaction, 'Ticket panel posted', `In <#${channelId}> (${types.length} type${types.length === 1 ? '' : 's'}).`);
    }
    // settings
    const patch: { transcriptChannelId?: string; closeDelaySeconds?: number } = {};
    const channel = o.getChannel('transcript_channel');
    if (channel) patch.transcriptChannelId = channel.id;
    const delay = o.getString('close_delay');
    if (delay !== null) patch.closeDelaySeconds = parseHoursOrDuration(delay, 'close_delay');
    await requireInInteractionGuild(interaction, { channels: { transcript_channel: patch.transcriptChannelId } });
    const changed = Object.keys(patch).length > 0;
    const s = changed ? await updateTicketSettings(prisma, guildId, patch, actorOf(interaction)) : await getTicketSettings(prisma, guildId);
    return reply(interaction, changed ? 'Ticket settings updated' : 'Ticket settings', `Transcripts: ${s.transcriptChannelId ? `<#${s.transcriptChannelId}>` : 'not posted'}\nA closed ticket's channel is deleted after ${s.closeDelaySeconds}s.`);
  },
};

const LIST_SIZE = 15;
async function listTickets(interaction: ChatInputCommandInteraction, { prisma }: BotDeps): Promise<void> {
  const status = interaction.options.getString('status');
  const member = interaction.options.getUser('member');
  const rows = await prisma.ticket.findMany({
    where: { guildId: guildIdOf(interaction), ...(status ? { status } : {}), ...(member ? { openerId: member.id } : {}) },
    include: { type: true },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: LIST_SIZE,
  });
  const lines = rows.map((t) => `**${typeLabel(t.type)} #${t.number}** · <@${t.openerId}> · ${t.status}${t.channelId && ['open', 'closing'].includes(t.status) ? ` · <#${t.channelId}>` : ''}${t.claimedBy ? ` · claimed by <@${t.claimedBy}>` : ''}`);
  await reply(interaction, 'Tickets', lines.join('\n') || 'No tickets.');
}

/** `/ticket`: open one, or act on the ticket this channel is (the flow decides who may). */
export const ticketCommand: Command = {
  data: ticketData,
  async handle(interaction, deps) {
    const { prisma, temporal } = deps;
    const sub = interaction.options.getSubcommand();
    if (sub === 'open') {
      return openOrAsk(interaction, deps, await requireTicketType(prisma, guildIdOf(interaction), interaction.options.getString('type', true)));
    }
    const ticket = await ticketHere(interaction, prisma);
    const actor = await ticketActor(interaction, prisma, ticket.type);
    if (sub === 'remove' || sub === 'rename') requireStaff(actor, ticket.type);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    if (sub === 'close') {
      await closeTicket(temporal, ticket.id, actor, interaction.options.getString('reason'));
      await interaction.editReply({ content: 'The ticket is closed.' });
    } else if (sub === 'rename') {
      const { name } = await renameTicket(temporal, ticket.id, actor, interaction.options.getString('name', true));
      await interaction.editReply({ content: `Renamed to #${name}.` });
    } else {
      const member = interaction.options.getUser('member', true);
      await changeTicketMember(temporal, ticket.id, actor, { action: sub === 'add' ? 'add' : 'remove', memberId: member.id });
      await interaction.editReply({ content: `<@${member.id}> ${sub === 'add' ? 'can now see' : 'no longer sees'} this ticket.`, allowedMentions: { parse: [] } });
    }
  },
};
