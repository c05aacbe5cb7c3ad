import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { checkEscrow, type EscrowStatus, openEscrow, type OpenEscrowInput, refundEscrow, releaseEscrow } from './service';

/**
 * The escrow activities the card trade flow calls, by the names of the card trading contract. Until the
 * trade flow's face (lib/flows/card-trades.ts, with its `CardEscrowActivities`) is merged, this copy of
 * that interface keeps the shapes checked here; at merge this one is replaced by an import of that one.
 */
interface CardEscrowActivities {
  cardsEscrowOpen(i: OpenEscrowInput): Promise<{ paymentIntentId: string; payUrl: string }>;
  cardsEscrowCheck(i: { proposalId: string }): Promise<{ status: EscrowStatus }>;
  cardsEscrowRelease(i: { proposalId: string }): Promise<{ transferId: string }>;
  cardsEscrowRefund(i: { proposalId: string; reason: string }): Promise<{ refundId: string | null }>;
}

export function createCardEscrowActivities(deps: FeatureDeps) {
  const activities: CardEscrowActivities = {
    cardsEscrowOpen: (i) => openEscrow(deps, i),
    cardsEscrowCheck: (i) => checkEscrow(deps, i),
    cardsEscrowRelease: (i) => releaseEscrow(deps, i),
    cardsEscrowRefund: (i) => refundEscrow(deps, i),
  };
  return defineActivities(deps.log, 'card-escrow', { ...activities });
}
