import { ComponentType, MessageFlags, TextInputStyle } from 'discord.js';
import { requireTicketType, TICKET_ACTIONS } from '../../../activities/tickets';
import { customId } from '../../../lib/discord/custom-id';
import { AppError } from '../../../lib/errors';
import { claimTicket, closeTicket, changeTicketMember, reopenTicket } from '../../../lib/flows/tickets.client';
import type { ComponentHandler, ComponentInteraction } from '../../command';
import { guildIdOf, textInputRow } from '../../interaction';
import { answersOf, openOrAsk, requireStaff, startTicket, ticketActor, ticketHere } from './shared';

/**
 * The panel's buttons and the ticket's controls. Every key is client data: the type must be this
 * guild's, the ticket the one of the channel clicked in, and the clicker is checked here and by the flow.
 */
const button = (interaction: ComponentInteraction) => {
  if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a ticket button.');
  return interaction;
};

/** A panel button: the type's form, or (no questions) the ticket at once. */
export const openButton: ComponentHandler = {
  action: TICKET_ACTIONS.open,
  async handle(interaction, key, deps) {
    const type = await requireTicketType(deps.prisma, guildIdOf(interaction), key);
    await openOrAsk(button(interaction), deps, type);
  },
};

export const formModal: ComponentHandler = {
  action: TICKET_ACTIONS.form,
  async handle(interaction, key, deps) {
    if (!interaction.isModalSubmit()) throw new AppError('invalid_component', 'This is not a ticket form.');
    const type = await requireTicketType(deps.prisma, guildIdOf(interaction), key);
    await startTicket(interaction, deps, type, answersOf(type, (f) => interaction.fields.getTextInputValue(f)));
  },
};

export const claimButton: ComponentHandler = {
  action: TICKET_ACTIONS.claim,
  async handle(interaction, key, { prisma, temporal }) {
    const ticket = await ticketHere(button(interaction), prisma, key);
    const actor = await ticketActor(interaction, prisma, ticket.type);
    requireStaff(actor, ticket.type);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await claimTicket(temporal, ticket.id, actor);
    await interaction.editReply({ content: 'You claimed this ticket.' });
  },
};

/** Close: the reason form (the opener or staff; checked again when it is sent). */
export const closeButton: ComponentHandler = {
  action: TICKET_ACTIONS.close,
  async handle(interaction, key, { prisma }) {
    const ticket = await ticketHere(button(interaction), prisma, key);
    await button(interaction).showModal({
      title: 'Close the ticket',
      custom_id: customId(TICKET_ACTIONS.closeModal, ticket.id),
      components: [textInputRow('reason', 'Why (optional)', TextInputStyle.Paragraph, false, 500)],
    });
  },
};

export const closeModal: ComponentHandler = {
  action: TICKET_ACTIONS.closeModal,
  async handle(interaction, key, { prisma, temporal }) {
    if (!interaction.isModalSubmit()) throw new AppError('invalid_component', 'This is not a ticket form.');
    const ticket = await ticketHere(interaction, prisma, key);
    const actor = await ticketActor(interaction, prisma, ticket.type);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await closeTicket(temporal, ticket.id, actor, interaction.fields.getTextInputValue('reason').trim() || null);
    await interaction.editReply({ content: 'The ticket is closed.' });
  },
};

/** Add member: a member picker (the opener or staff). */
export const addMemberButton: ComponentHandler = {
  action: TICKET_ACTIONS.addMember,
  async handle(interaction, key, { prisma }) {
    const ticket = await ticketHere(button(interaction), prisma, key);
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      content: 'Who should see this ticket?',
      components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.UserSelect, custom_id: customId(TICKET_ACTIONS.addMemberSelect, ticket.id), min_values: 1, max_values: 1 }] }],
    });
  },
};

export const addMemberSelect: ComponentHandler = {
  action: TICKET_ACTIONS.addMemberSelect,
  async handle(interaction, key, { prisma, temporal }) {
    if (!interaction.isUserSelectMenu()) throw new AppError('invalid_component', 'This is not a member picker.');
    const ticket = await ticketHere(interaction, prisma, key);
    const memberId = interaction.values[0]!;
    if (!interaction.members.has(memberId)) throw new AppError('not_in_guild', 'That member is not in this server.');
    const actor = await ticketActor(interaction, prisma, ticket.type);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await changeTicketMember(temporal, ticket.id, actor, { action: 'add', memberId });
    await interaction.editReply({ content: `<@${memberId}> can now see this ticket.`, allowedMentions: { parse: [] } });
  },
};

export const reopenButton: ComponentHandler = {
  action: TICKET_ACTIONS.reopen,
  async handle(interaction, key, { prisma, temporal }) {
    const ticket = await ticketHere(button(interaction), prisma, key);
    const actor = await ticketActor(interaction, prisma, ticket.type);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await reopenTicket(temporal, ticket.id, actor);
    await interaction.editReply({ content: 'The ticket is open again: the channel stays.' });
  },
};

/** A rating from the opener's DM: the opener only, once the ticket is closed; a second rating replaces the first. */
export const rateButton: ComponentHandler = {
  action: TICKET_ACTIONS.rate,
  async handle(interaction, key, { prisma }) {
    const match = /^([1-5])\.(.+)$/.exec(key);
    if (!match) throw new AppError('invalid_component', 'This is not a rating button.');
    const rated = await prisma.ticket.updateMany({ where: { id: match[2]!, openerId: interaction.user.id, status: { in: ['closing', 'closed', 'deleted'] } }, data: { rating: Number(match[1]) } });
    if (!rated.count) throw new AppError('not_your_ticket', 'Only the member who opened a closed ticket can rate it.');
    await button(interaction).reply({ flags: MessageFlags.Ephemeral, content: `Thank you: you rated it ${'★'.repeat(Number(match[1]))}.` });
  },
};
