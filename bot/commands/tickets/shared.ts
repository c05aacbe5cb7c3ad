import { MessageFlags, TextInputStyle, type ButtonInteraction, type ChatInputCommandInteraction, type Interaction, type RepliableInteraction } from 'discord.js';
import { isTicketStaff, nextTicketInput, questionsOf, TICKET_ACTIONS, typeLabel } from '../../../activities/tickets';
import { customId } from '../../../lib/discord/custom-id';
import { AppError } from '../../../lib/errors';
import type { TicketActor, TicketAnswer } from '../../../lib/flows/tickets';
import { openTicket } from '../../../lib/flows/tickets.client';
import type { PrismaClient, Ticket, TicketType } from '../../../prisma/client';
import type { BotDeps } from '../../deps';
import { guildIdOf, memberRoleIds, textInputRow } from '../../interaction';
import { interactionAccess } from '../../permissions';

/**
 * What every ticket handler shares: who the member is to a ticket (staff: the type's staff roles, mods
 * and above, or the Manage tickets grant), the ticket a channel is, and opening a ticket.
 */
export async function ticketActor(interaction: Interaction, prisma: PrismaClient, type: Pick<TicketType, 'staffRoleIds'>): Promise<TicketActor> {
  const access = await interactionAccess(interaction, prisma, { level: 'mod', grant: 'manage_tickets' });
  return { guildId: guildIdOf(interaction), userId: interaction.user.id, level: access.level, staff: isTicketStaff(type, { roleIds: memberRoleIds(interaction), isStaff: access.allowed }) };
}

/**
 * The ticket this channel is. A button's ticket id is client data: it must be this guild's ticket AND
 * the one of the channel the click comes from.
 */
export async function ticketHere(interaction: Interaction, prisma: PrismaClient, ticketId?: string): Promise<Ticket & { type: TicketType }> {
  const guildId = guildIdOf(interaction);
  const ticket = interaction.channelId ? await prisma.ticket.findFirst({ where: { guildId, channelId: interaction.channelId }, include: { type: true } }) : null;
  if (!ticket || (ticketId !== undefined && ticket.id !== ticketId)) throw new AppError('not_a_ticket', 'Use this in the ticket’s own channel.');
  return ticket;
}

/** Staff actions refused here too (the flow checks again): a clear answer without a round trip. */
export function requireStaff(actor: TicketActor, type: Pick<TicketType, 'name'>): void {
  if (!actor.staff) throw new AppError('forbidden', `Only the ${type.name} staff (their roles, mods, admins and members with the Manage tickets grant) can do this.`, 403);
}

/** The form's answers from a modal, in the questions' order. */
export function answersOf(type: TicketType, read: (field: string) => string): TicketAnswer[] {
  return questionsOf(type).map((q, i) => ({ question: q.label, answer: read(`q${i}`).trim() }));
}

/**
 * Opens the member's next ticket of the type: refused at the type's limit (the open one named); the
 * flow edits the reply with the channel once it exists. A second open at the same instant reaches the
 * same flow and is told the ticket is on its way.
 */
export async function startTicket(interaction: RepliableInteraction, { prisma, temporal, taskQueue }: BotDeps, type: TicketType, answers: TicketAnswer[]): Promise<void> {
  const input = await nextTicketInput(prisma, type, interaction.user.id, answers, { applicationId: interaction.applicationId, interactionToken: interaction.token });
  await interaction.reply({ flags: MessageFlags.Ephemeral, content: `Opening your ${typeLabel(type)} ticket…` });
  const { started } = await openTicket({ temporal, taskQueue }, input);
  if (!started) await interaction.editReply({ content: `Your ${typeLabel(type)} ticket is already being opened: its channel appears in a moment.` });
}

/** The panel button and `/ticket open`: the type's form when it has questions, or the ticket at once. */
export async function openOrAsk(interaction: ButtonInteraction | ChatInputCommandInteraction, deps: BotDeps, type: TicketType): Promise<void> {
  const questions = questionsOf(type);
  if (!questions.length) return startTicket(interaction, deps, type, []);
  await interaction.showModal({
    title: `${type.name} ticket`.slice(0, 45),
    custom_id: customId(TICKET_ACTIONS.form, type.id),
    components: questions.map((q, i) => textInputRow(`q${i}`, q.label, q.long ? TextInputStyle.Paragraph : TextInputStyle.Short, q.required, q.long ? 1000 : 200)),
  });
}
