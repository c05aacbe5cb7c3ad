import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { TicketInput } from '../../../lib/flows/tickets';

/**
 * Test only — an INCOMPATIBLE change of workflows/ticket.ts as someone might make it without patched(): the
 * channel is created before the ticket is recorded. Replaying recorded histories with it must fail.
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function ticket(input: TicketInput): Promise<void> {
  await acts.ticketCreateChannel({ ticketId: input.ticketId });
}
