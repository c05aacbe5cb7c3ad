import type { Command, ComponentHandler } from '../../command';
import { ticketCommand, ticketsCommand } from './commands';
import { addMemberButton, addMemberSelect, claimButton, closeButton, closeModal, formModal, openButton, rateButton, reopenButton } from './components';

/** The ticket commands, the panel's buttons and the ticket controls, for the one registry in bot/commands/index.ts. */
export const ticketCommands: readonly Command[] = [ticketsCommand, ticketCommand];
export const ticketComponents: readonly ComponentHandler[] = [openButton, formModal, claimButton, closeButton, closeModal, addMemberButton, addMemberSelect, reopenButton, rateButton];
export { onTicketChannelDeleted, onTicketChannelMessage } from './gateway';
