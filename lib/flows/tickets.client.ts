import type { Client } from '@temporalio/client';
import { AppError } from '../errors';
import { FlowClosedError, readFlowStatus, signalFlow, startFlow, updateFlow, type FlowStatus, type FlowTarget } from './client';
import {
  claimTicketUpdate,
  closeTicketUpdate,
  renameTicketUpdate,
  reopenTicketUpdate,
  ticketChannelDeletedSignal,
  ticketFlow,
  ticketFlowId,
  ticketMemberUpdate,
  ticketMessageSignal,
  ticketStatusQuery,
  type TicketActor,
  type TicketInput,
  type TicketMemberChange,
  type TicketState,
} from './tickets';

/**
 * How the bot and the API open tickets and act on them. The open refuses a second running flow with the
 * same id, so two opens of the member's next ticket at once start one; the other is told it is opening.
 */
export async function openTicket(target: FlowTarget, input: TicketInput): Promise<{ started: boolean; workflowId: string }> {
  const { workflowId, started } = await startFlow(target, ticketFlow, [input.guildId, input.ticketId], {
    guildId: input.guildId,
    userId: input.openerId,
    summary: `ticket #${input.number} of ${input.openerId}`,
    input,
    conflict: 'fail',
  });
  return { started, workflowId };
}

/** Sends an update to the ticket's flow; a ticket whose flow has ended is 409 `ticket_closed`. */
async function toTicket<Ret, Args extends unknown[]>(temporal: Client | null | undefined, guildId: string, ticketId: string, update: Parameters<typeof updateFlow<Ret, Args>>[2], ...args: Args): Promise<Ret> {
  try {
    return await updateFlow(temporal, ticketFlowId(guildId, ticketId), update, ...args);
  } catch (err) {
    if (err instanceof FlowClosedError) throw new AppError('ticket_closed', 'This ticket is closed: nothing was changed.', 409);
    throw err;
  }
}

export const claimTicket = (temporal: Client | null | undefined, ticketId: string, actor: TicketActor) => toTicket(temporal, actor.guildId, ticketId, claimTicketUpdate, actor);
export const closeTicket = (temporal: Client | null | undefined, ticketId: string, actor: TicketActor, reason: string | null) => toTicket(temporal, actor.guildId, ticketId, closeTicketUpdate, actor, reason);
export const reopenTicket = (temporal: Client | null | undefined, ticketId: string, actor: TicketActor) => toTicket(temporal, actor.guildId, ticketId, reopenTicketUpdate, actor);
export const changeTicketMember = (temporal: Client | null | undefined, ticketId: string, actor: TicketActor, change: TicketMemberChange) => toTicket(temporal, actor.guildId, ticketId, ticketMemberUpdate, actor, change);
export const renameTicket = (temporal: Client | null | undefined, ticketId: string, actor: TicketActor, name: string) => toTicket(temporal, actor.guildId, ticketId, renameTicketUpdate, actor, name);

/** Someone wrote in the ticket's channel; `false` when its flow has ended. */
export const signalTicketMessage = (temporal: Client | null | undefined, guildId: string, ticketId: string, authorId: string) => signalFlow(temporal, ticketFlowId(guildId, ticketId), ticketMessageSignal, { authorId });
export const signalTicketChannelDeleted = (temporal: Client | null | undefined, guildId: string, ticketId: string) => signalFlow(temporal, ticketFlowId(guildId, ticketId), ticketChannelDeletedSignal);

export const ticketFlowStatus = (temporal: Client | null | undefined, guildId: string, ticketId: string): Promise<FlowStatus<TicketState>> =>
  readFlowStatus(temporal, ticketFlowId(guildId, ticketId), ticketStatusQuery);
