import { RefusalError } from '../../lib/errors';
import { TICKET_FAILURES } from '../../lib/flows/tickets';

/** Ticket refusals; `failureType` is from TICKET_FAILURES (lib/flows/tickets.ts). */
class TicketError extends RefusalError {}

/** The ticket or its type does not allow the request (limit reached, unknown type, not open): 409 `ticket_state`. */
export class TicketStateError extends TicketError {
  constructor(message: string) {
    super('ticket_state', TICKET_FAILURES.state, message, 409);
  }
}
