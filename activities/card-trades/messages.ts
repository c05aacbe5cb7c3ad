import { ButtonStyle } from 'discord-api-types/v10';
import type { DiscordMessage } from '../discord/activities';
import { buttonRow } from '../../lib/discord/buttons';
import type { CardTradeNoticeKind } from '../../lib/flows/card-trades';
import type { currentLines, ProposalRow } from './service';

/** What the parties read about a trade: the proposal's embed with its buttons, and each notice's words. */

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
  if (kind === 'accepted' && p.status === 'accepted') {
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
