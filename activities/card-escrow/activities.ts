import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import type { CardEscrowActivities } from '../../lib/flows/card-trades';
import { checkEscrow, openEscrow, refundEscrow, releaseEscrow } from './service';

/** The escrow activities the card trade flow calls, by the names its face declares. */
export function createCardEscrowActivities(deps: FeatureDeps) {
  const activities: CardEscrowActivities = {
    cardsEscrowOpen: (i) => openEscrow(deps, i),
    cardsEscrowCheck: (i) => checkEscrow(deps, i),
    cardsEscrowRelease: (i) => releaseEscrow(deps, i),
    cardsEscrowRefund: (i) => refundEscrow(deps, i),
  };
  return defineActivities(deps.log, 'card-escrow', { ...activities });
}
