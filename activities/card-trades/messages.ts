import { ButtonStyle } from 'discord-api-types/v10';
import type { DiscordMessage } from '../discord/activities';
import { buttonRow } from '../../lib/discord/buttons';
import type { CardTradeNoticeKind } from '../../lib/flows/card-trades';
import { type EmailDetail, escapeHtml } from '../../lib/mail';
import type { currentLines, ProposalRow } from './service';

/**
 * What the parties read about a trade: the proposal's embed with its buttons (the DM), and the same words
 * and terms without Discord's markup (the email).
 */

/** Button actions (custom ids `gf:{action}:{proposalId}`); the key is client data, re-checked by the flow. */
export const CARD_TRADE_ACTIONS = {
  accept: 'ctrade-accept',
  decline: 'ctrade-decline',
  counter: 'ctrade-counter',
  counterModal: 'ctrade-counter-modal',
  confirm: 'ctrade-confirm',
  dispute: 'ctrade-dispute',
  disputeModal: 'ctrade-dispute-modal',
  rate: 'ctrade-rate',
  rateModal: 'ctrade-rate-modal',
} as const;

const COLOURS = { open: 0x3498db, good: 0x2ecc71, bad: 0xe74c3c, warn: 0xe67e22 } as const;

type Lines = Awaited<ReturnType<typeof currentLines>>;

const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;

function lineText(l: Lines[number]): string {
  const i = l.item;
  if (!i) return `${l.quantity} × card #${l.collectionItemId}`;
  return `${l.quantity} × ${i.printing.name} (${i.printing.setCode.toUpperCase()} #${i.printing.collectorNumber}, ${i.condition}${i.finish === 'nonfoil' ? '' : `, ${i.finish}`}${i.language === 'en' ? '' : `, ${i.language}`}) · #${i.id}`;
}

/** The terms as text: who gives what, and the cash. */
function termsText(p: ProposalRow, lines: Lines): string {
  const side = (userId: string) => lines.filter((l) => l.fromUserId === userId).map(lineText);
  const parts = [
    `**<@${p.offererId}> gives:**\n${side(p.offererId).join('\n') || '—'}`,
    `**<@${p.offererId === p.proposerId ? p.recipientId : p.proposerId}> gives:**\n${side(p.offererId === p.proposerId ? p.recipientId : p.proposerId).join('\n') || '—'}`,
  ];
  if (p.cashCents > 0 && p.cashPayerId) parts.push(`**Cash:** <@${p.cashPayerId}> pays ${money(p.cashCents)} (held in escrow until both confirm receipt)`);
  if (p.message) parts.push(`> ${p.message.replace(/\n/g, '\n> ')}`);
  return parts.join('\n\n');
}

const TITLES: Record<CardTradeNoticeKind, string> = {
  proposal_received: 'New trade proposal',
  countered: 'Trade countered',
  accepted: 'Trade accepted: ship your cards',
  expiring: 'Trade proposal expiring soon',
  completed: 'Trade completed',
  dispute: 'Trade disputed',
  declined: 'Trade declined',
  cancelled: 'Trade cancelled',
  expired: 'Trade proposal expired',
  resolved: 'Trade dispute resolved',
  message: 'New message about your trade',
  overdue: 'Trade waiting for receipts',
};

const INTROS: Record<CardTradeNoticeKind, (p: ProposalRow) => string> = {
  proposal_received: (p) => `<@${p.proposerId}> proposes a trade. Accept, decline or counter before <t:${Math.floor(p.expiresAt.getTime() / 1000)}:f>.`,
  countered: (p) => `<@${p.offererId}> countered with new terms (version ${p.version}). It is your turn: accept, decline or counter before <t:${Math.floor(p.expiresAt.getTime() / 1000)}:f>.`,
  accepted: () => 'Both sides agreed. Ship your cards, then press **Confirm receipt** when the other side’s cards arrive. Something wrong? **Dispute** stops the trade until a moderator looks at it.',
  expiring: (p) => `This proposal expires <t:${Math.floor(p.expiresAt.getTime() / 1000)}:R>; its reserved cards are then released.`,
  completed: () => 'Both sides confirmed receipt: the cards moved between your collections. You can **Rate** the other member once.',
  dispute: (p) => `This trade is disputed${p.dispute ? ` by <@${p.dispute.openedBy}>: ${p.dispute.reason}` : ''}. Nothing completes until a moderator resolves it.`,
  declined: () => 'The proposal was declined; the reserved cards are free again.',
  cancelled: (p) => `The trade was cancelled${p.endedReason ? `: ${p.endedReason}` : ''}. Reserved cards are free again and any cash held is refunded.`,
  expired: () => 'Nobody answered in time: the proposal expired and its reserved cards are free again.',
  resolved: (p) => `A moderator resolved the dispute: ${p.dispute?.outcome === 'complete' ? 'the trade stands' : 'the trade is cancelled'}${p.dispute?.note ? ` (${p.dispute.note})` : ''}.`,
  message: () => 'The other member of this trade wrote to you.',
  overdue: (p) =>
    `This trade was accepted but ${[p.proposerReceived ? null : `<@${p.proposerId}>`, p.recipientReceived ? null : `<@${p.recipientId}>`].filter(Boolean).join(' and ') || 'nobody'} ` +
    'has not confirmed receipt yet, past the server’s deadline. Press **Confirm receipt** once the cards arrived, or **Dispute** if something is wrong. Nothing is cancelled; the moderators were told.',
};

const COLOUR_OF: Record<CardTradeNoticeKind, number> = {
  proposal_received: COLOURS.open,
  countered: COLOURS.open,
  accepted: COLOURS.good,
  expiring: COLOURS.warn,
  completed: COLOURS.good,
  dispute: COLOURS.warn,
  declined: COLOURS.bad,
  cancelled: COLOURS.bad,
  expired: COLOURS.bad,
  resolved: COLOURS.warn,
  message: COLOURS.open,
  overdue: COLOURS.warn,
};

/** The buttons that make sense for the reader in this state (the flow checks again when pressed). */
function buttonsFor(p: ProposalRow, kind: CardTradeNoticeKind) {
  const key = p.id;
  if ((kind === 'proposal_received' || kind === 'countered' || kind === 'expiring') && p.status === 'proposed') {
    return [
      buttonRow([
        { action: CARD_TRADE_ACTIONS.accept, key, label: 'Accept', style: ButtonStyle.Success },
        { action: CARD_TRADE_ACTIONS.decline, key, label: 'Decline', style: ButtonStyle.Danger },
        { action: CARD_TRADE_ACTIONS.counter, key, label: 'Counter' },
      ]),
    ];
  }
  if ((kind === 'accepted' || kind === 'overdue') && p.status === 'accepted') {
    return [
      buttonRow([
        { action: CARD_TRADE_ACTIONS.confirm, key, label: 'Confirm receipt', style: ButtonStyle.Success },
        { action: CARD_TRADE_ACTIONS.dispute, key, label: 'Dispute', style: ButtonStyle.Danger },
      ]),
    ];
  }
  if (kind === 'completed') return [buttonRow([{ action: CARD_TRADE_ACTIONS.rate, key, label: 'Rate' }])];
  return [];
}

/** One notice about a trade, as a DM to a party. */
export function noticeMessage(p: ProposalRow, lines: Lines, kind: CardTradeNoticeKind): DiscordMessage {
  return {
    embeds: [
      {
        title: TITLES[kind],
        description: `${INTROS[kind](p)}\n\n${termsText(p, lines)}`,
        color: COLOUR_OF[kind],
        footer: { text: `Guildflow · card-trade:${p.id}` },
      },
    ],
    components: buttonsFor(p, kind),
    allowed_mentions: { parse: [] },
  };
}

/** A message one party posted on the proposal, as the other party's DM (no buttons: the answer is `/cards trade message`). */
export function tradeMessageDm(p: ProposalRow, m: { authorId: string; body: string }): DiscordMessage {
  return {
    embeds: [
      {
        title: TITLES.message,
        description: `<@${m.authorId}> wrote:\n> ${m.body.replace(/\n/g, '\n> ')}\n\nAnswer with \`/cards trade message trade:${p.id}\`.`,
        color: COLOUR_OF.message,
        footer: { text: `Guildflow · card-trade:${p.id}` },
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

/** Members' names for an email (the server's display name, else the username, else the id). */
export type NameOf = (userId: string) => string;

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** Discord's markup (mentions, timestamps, bold, quotes) as plain words. */
function plain(text: string, nameOf: NameOf): string {
  return text
    .replace(/<@!?(\d+)>/g, (_, id: string) => nameOf(id))
    .replace(/<t:(\d+)(?::[A-Za-z])?>/g, (_, s: string) => utc(new Date(Number(s) * 1000)))
    .replace(/\*\*(.+?)\*\*/g, '$1');
}

const htmlOf = (text: string) => `<div style="white-space:normal;border-left:3px solid #ccc;padding-left:8px">${escapeHtml(text).replace(/\n/g, '<br>')}</div>`;

/** One notice as an email: its title, its words and the current terms (text and HTML), without Discord's markup. */
export function noticeEmail(
  p: ProposalRow,
  lines: Lines,
  kind: CardTradeNoticeKind,
  nameOf: NameOf,
  m?: { authorId: string; body: string } | null,
): { title: string; text: string; detail: EmailDetail } {
  const text = m ? `${nameOf(m.authorId)} wrote:\n\n${m.body}` : plain(INTROS[kind](p), nameOf);
  const terms = `The terms (version ${p.version}):\n\n${plain(termsText(p, lines), nameOf)}`;
  return { title: TITLES[kind], text, detail: { text: terms, html: htmlOf(terms) } };
}
