import { recordHistories, type Scenarios } from '../helpers/histories';
import { eventually } from '../sync/helpers';
import { answer, controlsOf, newMember, openTicketOf, openWithForm, type TicketsEnv } from './helpers';

/**
 * Records real histories of the ticket workflow into test/histories/ticket-*.json (replayed by
 * test/tickets/replay.test.ts):
 *
 *   GF_RECORD_HISTORIES=1 npx jest test/tickets/replay.test.ts
 */
async function finished(env: TicketsEnv, ticketId: string): Promise<string> {
  const handle = env.temporal.client.workflow.getHandle(`ticket:${env.guildId}:${ticketId}`);
  await eventually(async () => (await handle.describe()).status.name === 'COMPLETED', `ticket ${ticketId}'s flow to complete`);
  return `ticket:${env.guildId}:${ticketId}`;
}

export const TICKET_SCENARIOS: Scenarios<TicketsEnv> = {
  /** Opened from the form, claimed by staff, a message, closed by the opener (update), the channel deleted after the delay. */
  'ticket-claimed-closed': async (env) => {
    const opener = newMember(env);
    await openWithForm(env, opener);
    const ticket = await openTicketOf(env, opener);
    const controls = await controlsOf(env, ticket);
    await answer(env.discord.clickButton(controls, `gf:ticket-claim:${ticket.id}`, env.staff));
    env.discord.postMessage(ticket.channelId, env.staff, 'How can I help?');
    await eventually(() => env.prisma.ticket.findFirst({ where: { id: ticket.id, firstResponseAt: { not: null } } }), 'the first response recorded');
    const form = env.discord.clickButton(controls, `gf:ticket-close:${ticket.id}`, opener);
    await form.waitForResponse();
    await answer(env.discord.submitModal(form, `gf:ticket-close-reason:${ticket.id}`, opener, { reason: 'Thanks' }));
    return finished(env, ticket.id);
  },
  /** Nobody writes: the idle warning, then the inactivity close (timers from the type), then the deletion. */
  'ticket-idle-closed': async (env) => {
    await env.prisma.ticketType.update({ where: { id: env.typeId }, data: { idleSeconds: 2, graceSeconds: 2 } });
    try {
      const opener = newMember(env);
      await openWithForm(env, opener);
      const ticket = await openTicketOf(env, opener);
      return await finished(env, ticket.id);
    } finally {
      await env.prisma.ticketType.update({ where: { id: env.typeId }, data: { idleSeconds: 172800, graceSeconds: 86400 } });
    }
  },
};

export const recordTicketHistories = (env: TicketsEnv) => recordHistories(env, TICKET_SCENARIOS);
