import { ButtonStyle } from 'discord-api-types/v10';
import { buttonRow } from '../../lib/discord/buttons';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { INACTIVITY_REASON, ticketFlowId, type TicketAnswer } from '../../lib/flows/tickets';
import type { Ticket, TicketType } from '../../prisma/client';
import type { DiscordMessage } from '../discord/activities';
import { TRANSCRIPT_UPLOAD_LIMIT_BYTES } from './transcript';

/**
 * What tickets show. Every button's key is client data (a type id, a ticket id): the bot checks the
 * clicker and that the click comes from that ticket's channel before it asks the flow, which checks again.
 */
export const TICKET_ACTIONS = {
  open: 'ticket-open',
  form: 'ticket-form',
  claim: 'ticket-claim',
  close: 'ticket-close',
  closeModal: 'ticket-close-reason',
  addMember: 'ticket-add',
  addMemberSelect: 'ticket-add-pick',
  reopen: 'ticket-reopen',
  rate: 'ticket-rate',
} as const;

const at = (d: Date, style: 'f' | 'R' = 'f'): string => `<t:${Math.floor(d.getTime() / 1000)}:${style}>`;
export const typeLabel = (t: Pick<TicketType, 'name' | 'emoji'>): string => (t.emoji ? `${t.emoji} ${t.name}` : t.name);

/** The panel: one button per type (at most 5 per row, 5 rows). */
export function panelMessage(types: TicketType[]): DiscordMessage {
  const rows = [];
  for (let i = 0; i < types.length && rows.length < 5; i += 5) {
    rows.push(buttonRow(types.slice(i, i + 5).map((t) => ({ action: TICKET_ACTIONS.open, key: t.id, label: typeLabel(t).slice(0, 80), style: ButtonStyle.Primary }))));
  }
  return {
    embeds: [guildflowEmbed({ outcome: 'info', title: 'Support tickets', description: 'Press a button to open a private ticket with the staff.' })],
    components: rows,
    allowed_mentions: { parse: [] },
  };
}

const controlRow = (ticketId: string) =>
  buttonRow([
    { action: TICKET_ACTIONS.claim, key: ticketId, label: 'Claim', style: ButtonStyle.Primary },
    { action: TICKET_ACTIONS.close, key: ticketId, label: 'Close', style: ButtonStyle.Danger },
    { action: TICKET_ACTIONS.addMember, key: ticketId, label: 'Add member' },
  ]);

/** The ticket's first message: who opened it, the form's answers, the staff pinged, the controls. */
export function openedMessage(ticket: Ticket, type: TicketType): DiscordMessage {
  const answers = ticket.answers as unknown as TicketAnswer[];
  const pings = type.staffRoleIds.map((r) => `<@&${r}>`).join(' ');
  return {
    content: `<@${ticket.openerId}>${pings ? ` ${pings}` : ''}`,
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: `${typeLabel(type)} ticket #${ticket.number}`,
        description: type.welcome ?? 'Staff will be with you shortly. Describe what you need here.',
        fields: [{ name: 'Opened by', value: `<@${ticket.openerId}>`, inline: true }, ...answers.map((a) => ({ name: a.question.slice(0, 256), value: (a.answer || '—').slice(0, 1024) }))],
        flowId: ticketFlowId(ticket.guildId, ticket.id),
      }),
    ],
    components: [controlRow(ticket.id)],
    allowed_mentions: { users: [ticket.openerId], roles: type.staffRoleIds },
  };
}

export const noticeMessage = (ticket: Ticket, outcome: 'info' | 'success' | 'warning', title: string, description?: string, components: DiscordMessage['components'] = []): DiscordMessage => ({
  embeds: [guildflowEmbed({ outcome, title, description, flowId: ticketFlowId(ticket.guildId, ticket.id) })],
  components,
  allowed_mentions: { parse: [] },
});

export const idleWarning = (ticket: Ticket, closesAt: Date) =>
  noticeMessage(ticket, 'warning', 'This ticket is quiet', `Nobody has written here for a while. It closes by itself ${at(closesAt, 'R')} unless someone writes.`);

/** Who closed it: a member, the inactivity timer, or (no member, a reason) the dashboard. */
const closedByText = (t: Pick<Ticket, 'closedBy' | 'closeReason'>): string => (t.closedBy ? `<@${t.closedBy}>` : t.closeReason === INACTIVITY_REASON ? 'inactivity' : 'the dashboard');

export function closingMessage(ticket: Ticket, deletesAt: Date): DiscordMessage {
  const by = closedByText(ticket);
  return noticeMessage(
    ticket,
    'warning',
    'Ticket closed',
    `Closed by ${by}${ticket.closeReason ? `: ${ticket.closeReason}` : ''}. This channel is deleted ${at(deletesAt, 'R')}; press Reopen to keep it.`,
    [buttonRow([{ action: TICKET_ACTIONS.reopen, key: ticket.id, label: 'Reopen', style: ButtonStyle.Success }])],
  );
}

/** The transcript's post in the transcript channel (the file attached, or too large to attach: the API has it). */
export function transcriptMessage(ticket: Ticket, type: TicketType, attached: boolean): DiscordMessage {
  return {
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: `Transcript: ${typeLabel(type)} ticket #${ticket.number}`,
        description: `Opened by <@${ticket.openerId}>${ticket.claimedBy ? `, claimed by <@${ticket.claimedBy}>` : ''}; closed by ${closedByText(ticket)}${ticket.closeReason ? `: ${ticket.closeReason}` : ''}.${attached ? '' : ` Over ${TRANSCRIPT_UPLOAD_LIMIT_BYTES / 1024 / 1024} MiB, too large to attach: download it from the dashboard (GET …/tickets/:id/transcript).`}`,
        flowId: ticketFlowId(ticket.guildId, ticket.id),
      }),
    ],
    allowed_mentions: { parse: [] },
  };
}

/** The opener's DM after the close: the transcript (when there is one) and 1–5 stars to rate it. */
export function closedDm(ticket: Ticket, type: TicketType, guildName: string | null): DiscordMessage {
  return {
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: `Your ${type.name} ticket #${ticket.number} was closed`,
        description: `${guildName ? `In ${guildName}. ` : ''}${ticket.closeReason ? `Reason: ${ticket.closeReason}. ` : ''}How did we do? Rate it (optional).`,
        flowId: ticketFlowId(ticket.guildId, ticket.id),
      }),
    ],
    components: [buttonRow([1, 2, 3, 4, 5].map((n) => ({ action: TICKET_ACTIONS.rate, key: `${n}.${ticket.id}`, label: '★'.repeat(n) })))],
  };
}
