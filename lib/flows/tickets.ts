import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PermissionLevel } from '../permissions';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow, INPUT_FAILURES, type InteractionReply } from './flow';

/**
 * A support ticket, workflow id `ticket:{guild}:{ticketId}` (workflows/ticket.ts). The ticket id is the
 * member's next ticket of a type (`{typeId}.{openerId}.{number}`), so two opens at the same instant
 * compute the same id and the workflow id gives them one ticket. It waits for claim, members, rename,
 * close and reopen (updates), messages and the channel's deletion (signals), and the inactivity timers.
 */

export const MAX_TICKET_QUESTIONS = 5;
/** The close reason the inactivity timer gives. */
export const INACTIVITY_REASON = 'No activity';

export interface TicketAnswer {
  question: string;
  answer: string;
}

export interface TicketInput {
  guildId: string;
  ticketId: string;
  typeId: string;
  openerId: string;
  number: number;
  answers: TicketAnswer[];
  /** The opener's interaction, told where the channel is. */
  reply: InteractionReply | null;
  /** From the type (tests pass seconds): no message for `idleSeconds` warns, `graceSeconds` more closes. */
  idleSeconds: number;
  graceSeconds: number;
  /** From the guild's ticket settings: the channel is deleted this long after the close. */
  closeDelaySeconds: number;
}

export type TicketStatus = 'opening' | 'open' | 'closing' | 'closed' | 'deleted' | 'failed';

export interface TicketState {
  ticketId: string;
  status: TicketStatus;
  channelId: string | null;
  claimedBy: string | null;
  closedBy: string | null;
  closeReason: string | null;
  /** Set while the channel waits to be deleted (ISO). */
  deletesAt: string | null;
  warned: boolean;
}

/**
 * Who asks, as the bot or the API found them; the flow checks it again. `staff`: one of the type's staff
 * roles, mod and above, or the Manage tickets grant (the bot and the API decide it; the flow cannot read roles).
 */
export interface TicketActor {
  guildId: string;
  /** A Discord user id, or null for an API token. */
  userId: string | null;
  level: PermissionLevel;
  staff: boolean;
}

export type TicketMemberChange = { action: 'add' | 'remove'; memberId: string };

export const ticketStatusQuery = defineQuery<TicketState>('status');
export const claimTicketUpdate = defineUpdate<{ claimedBy: string }, [TicketActor]>('claim');
export const closeTicketUpdate = defineUpdate<{ closing: true }, [TicketActor, string | null]>('close');
export const reopenTicketUpdate = defineUpdate<{ reopened: true }, [TicketActor]>('reopen');
export const ticketMemberUpdate = defineUpdate<{ done: true }, [TicketActor, TicketMemberChange]>('member');
export const renameTicketUpdate = defineUpdate<{ name: string }, [TicketActor, string]>('rename');
/** Someone wrote in the ticket's channel (the bot sends it for every MESSAGE_CREATE there, bots' aside). */
export const ticketMessageSignal = defineSignal<[{ authorId: string }]>('message');
/** The channel was deleted by hand (CHANNEL_DELETE). */
export const ticketChannelDeletedSignal = defineSignal('channelDeleted');

export const ticketFlowId = (guildId: string, ticketId: string): string => `ticket:${guildId}:${ticketId}`;
export const ticketFlow = defineFlow({ type: 'ticket', kind: 'ticket', id: ticketFlowId });

/** The ticket id of the opener's `number`th ticket of a type. */
export const ticketIdOf = (typeId: string, openerId: string, number: number): string => `${typeId}.${openerId}.${number}`;

/** Ticket refusals (activities/tickets/errors.ts raises them; `refused` is the update validators'). */
export const TICKET_FAILURES = {
  refused: 'TicketRefused',
  state: 'TicketState',
} as const;

/** The one list of the ticket flow's non-retryable failure types. */
export const TICKET_REFUSALS: readonly string[] = [...Object.values(TICKET_FAILURES), ...INPUT_FAILURES, ...DISCORD_REFUSALS];
