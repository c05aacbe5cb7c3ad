import { RefusalError, ValidationError } from '../../lib/errors';
import type { CardEscrowActivities, CardTradeInput, CardTradeNoticeKind, CardTradeTerms } from '../../lib/flows/card-trades';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { cardsNotify } from '../notify/notify';
import { notParty } from './errors';
import { noticeEmail, noticeMessage, tradeMessageDm } from './messages';
import {
  acceptProposal,
  completeTrade,
  confirmReceipt,
  counterProposal,
  currentLines,
  endProposal,
  findProposal,
  openDispute,
  openProposal,
  resolveDispute,
  type ProposalRow,
} from './service';

/**
 * Card trades as Temporal activities for workflows/card-trade.ts. Each is keyed by the proposal id (the
 * workflow's) and its version, so a repeated step finds its work done. Steps a person's request may be
 * refused at (open, counter, accept) answer `{ ok: false, reason }` instead of failing: the flow tells the
 * person and goes on. The escrow activities are registered beside these only when `deps.cardEscrow` is
 * given (the card escrow feature's, or a test's stand-ins); without them cash is refused when proposed.
 */

/** The proposal as the workflow keeps it. */
export interface CardTradeView {
  proposerId: string;
  recipientId: string;
  version: number;
  offererId: string;
  turnUserId: string;
  status: string;
  cashCents: number;
  cashPayerId: string | null;
  expiresAt: string;
}

export type CardTradeStepResult = { ok: true; view: CardTradeView } | { ok: false; reason: string };

const viewOf = (p: ProposalRow): CardTradeView => ({
  proposerId: p.proposerId,
  recipientId: p.recipientId,
  version: p.version,
  offererId: p.offererId,
  turnUserId: p.turnUserId,
  status: p.status,
  cashCents: p.cashCents,
  cashPayerId: p.cashPayerId,
  expiresAt: p.expiresAt.toISOString(),
});

/** A person's request refused for a reason they can read; anything else is thrown (retried). */
async function answer(step: () => Promise<ProposalRow>): Promise<CardTradeStepResult> {
  try {
    return { ok: true, view: viewOf(await step()) };
  } catch (err) {
    if (err instanceof RefusalError || err instanceof ValidationError) return { ok: false, reason: err.message };
    throw err;
  }
}

/** Members' names for emails: the server's directory (members table), else the id. */
async function namesIn(prisma: FeatureDeps['prisma'], guildId: string, userIds: string[]): Promise<(userId: string) => string> {
  const rows = await prisma.member.findMany({ where: { guildId, userId: { in: userIds } }, select: { userId: true, displayName: true, username: true } });
  const names = new Map(rows.map((r) => [r.userId, r.displayName ?? r.username]));
  return (userId) => names.get(userId) ?? `member ${userId}`;
}

export function createCardTradeActivities({ prisma, log, mail, discordActivities: d, cardEscrow }: FeatureDeps) {
  const cashAllowed = Boolean(cardEscrow);
  const activities = defineActivities(log, 'card-trades', {
    /** Records the proposal and reserves the proposer's offered cards (or says why not). */
    async cardTradeOpen(input: Pick<CardTradeInput, 'proposalId' | 'guildId' | 'proposerId' | 'recipientId' | 'terms'> & { expiresAt: string }): Promise<CardTradeStepResult> {
      return answer(() => openProposal(prisma, { ...input, expiresAt: new Date(input.expiresAt), cashAllowed }));
    },
    async cardTradeCounter(input: { proposalId: string; userId: string; version: number; terms: CardTradeTerms; expiresAt: string }): Promise<CardTradeStepResult> {
      return answer(() => counterProposal(prisma, { ...input, expiresAt: new Date(input.expiresAt), cashAllowed }));
    },
    async cardTradeAccept(input: { proposalId: string; userId: string; version: number }): Promise<CardTradeStepResult> {
      return answer(() => acceptProposal(prisma, input));
    },
    /** Declined, cancelled or expired: every reservation given back. */
    async cardTradeEnd(input: { proposalId: string; status: 'declined' | 'cancelled' | 'expired'; reason: string; actorId?: string | null }): Promise<CardTradeView> {
      return viewOf(await endProposal(prisma, input));
    },
    async cardTradeConfirm(input: { proposalId: string; userId: string }): Promise<{ proposer: boolean; recipient: boolean }> {
      return confirmReceipt(prisma, input);
    },
    /** Moves the cards between the collections (one transaction, once). */
    async cardTradeComplete(input: { proposalId: string }): Promise<CardTradeView> {
      return viewOf(await completeTrade(prisma, input));
    },
    async cardTradeDispute(input: { proposalId: string; userId: string; reason: string }): Promise<void> {
      await openDispute(prisma, input);
    },
    async cardTradeResolve(input: { proposalId: string; moderatorId: string; outcome: 'complete' | 'cancel'; loserId: string | null; note: string | null }): Promise<void> {
      await resolveDispute(prisma, input);
    },
    /**
     * Tells a party about the trade by their preference (DM with the proposal's embed and buttons, email
     * with the terms, both or none) through cardsNotify, once per key. `message`: relays the message
     * `messageId` of this proposal to `userId`, who must be the other party of its author.
     */
    async cardTradeNotify(input: { proposalId: string; userId: string; kind: CardTradeNoticeKind; key: string; messageId?: string | null }): Promise<{ sent: boolean }> {
      const p = await findProposal(prisma, input.proposalId);
      if (!p) return { sent: false };
      if (input.userId !== p.proposerId && input.userId !== p.recipientId) throw notParty();
      let m: { authorId: string; body: string } | null = null;
      if (input.kind === 'message') {
        const row = /^\d{1,18}$/.test(input.messageId ?? '') ? await prisma.cardTradeMessage.findUnique({ where: { id: BigInt(input.messageId!) } }) : null;
        // Only a message of this proposal, to the party who did not write it.
        if (!row || row.proposalId !== p.id || row.authorId === input.userId) throw new ValidationError(`Message ${JSON.stringify(input.messageId)} is not one to relay to this party.`);
        m = row;
      }
      const lines = await currentLines(prisma, p);
      const email = noticeEmail(p, lines, input.kind, await namesIn(prisma, p.guildId, [p.proposerId, p.recipientId]), m);
      const result = await cardsNotify(
        { prisma, log, mail, discordActivities: d },
        { key: input.key, userId: input.userId, guildId: p.guildId, kind: input.kind, proposalId: p.id, ...email, dm: m ? tradeMessageDm(p, m) : noticeMessage(p, lines, input.kind) },
      );
      return { sent: result.email || result.dm };
    },
  });
  // Registered (not typed into Activities: the workflow proxies CardEscrowActivities) only when given:
  // the flow's cash steps find them; without them no trade with cash opens.
  if (cardEscrow) Object.assign(activities, escrowActivities(cardEscrow));
  return activities;
}

/** The escrow's four activities, by their contract names. */
function escrowActivities(e: CardEscrowActivities): CardEscrowActivities {
  return {
    cardsEscrowOpen: (i) => e.cardsEscrowOpen(i),
    cardsEscrowCheck: (i) => e.cardsEscrowCheck(i),
    cardsEscrowRelease: (i) => e.cardsEscrowRelease(i),
    cardsEscrowRefund: (i) => e.cardsEscrowRefund(i),
  };
}
