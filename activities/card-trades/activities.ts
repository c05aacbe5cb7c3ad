import { RefusalError, ValidationError } from '../../lib/errors';
import type { CardEscrowActivities, CardTradeInput, CardTradeNoticeKind, CardTradeTerms } from '../../lib/flows/card-trades';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { noticeMessage } from './messages';
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

export function createCardTradeActivities({ prisma, log, discordActivities: d, cardEscrow }: FeatureDeps) {
  const clog = log.child({ component: 'card-trades' });
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
    async cardTradeEnd(input: { proposalId: string; status: 'declined' | 'cancelled' | 'expired'; reason: string }): Promise<CardTradeView> {
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
     * Tells a party about the trade by DM, once per key (a repeat after a lost reply is skipped). A member
     * with closed DMs is logged, not retried.
     */
    async cardTradeNotify(input: { proposalId: string; userId: string; kind: CardTradeNoticeKind; key: string }): Promise<{ sent: boolean }> {
      if (await prisma.cardTradeNotice.findUnique({ where: { key: input.key } })) return { sent: false };
      const p = await findProposal(prisma, input.proposalId);
      if (!p) return { sent: false };
      const lines = await currentLines(prisma, p);
      const result = await d.discordNotifyMember({ userId: input.userId, message: noticeMessage(p, lines, input.kind) });
      if (result.via === 'none') clog.info({ userId: input.userId, why: result.why }, 'trade party could not be told');
      await prisma.cardTradeNotice.createMany({ data: [{ key: input.key }], skipDuplicates: true });
      return { sent: result.via !== 'none' };
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
