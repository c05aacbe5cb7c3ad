import { signalTicketChannelDeleted, signalTicketMessage } from '../../../lib/flows/tickets.client';
import type { BotDeps } from '../../deps';

/**
 * What tickets hear from the gateway: a message in a ticket channel (not the bot's own) restarts its
 * inactivity timer and may be its first response; the channel deleted by hand ends the ticket. Both
 * only signal the flow; channels that are not an open ticket's cost one indexed lookup.
 */
export async function onTicketChannelMessage({ prisma, temporal }: BotDeps, m: { guildId: string; channelId: string; authorId: string }): Promise<void> {
  const ticket = await prisma.ticket.findFirst({ where: { guildId: m.guildId, channelId: m.channelId, status: { in: ['open', 'closing'] } }, select: { id: true } });
  if (ticket) await signalTicketMessage(temporal, m.guildId, ticket.id, m.authorId);
}

export async function onTicketChannelDeleted({ prisma, temporal }: BotDeps, c: { guildId: string; channelId: string }): Promise<void> {
  const ticket = await prisma.ticket.findFirst({ where: { guildId: c.guildId, channelId: c.channelId, status: { in: ['opening', 'open', 'closing'] } }, select: { id: true } });
  if (ticket) await signalTicketChannelDeleted(temporal, c.guildId, ticket.id);
}
