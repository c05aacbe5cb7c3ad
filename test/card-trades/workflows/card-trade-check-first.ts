import { proxyActivities } from '@temporalio/workflow';
import type { CardEscrowActivities, CardTradeInput, CardTradeState } from '../../../lib/flows/card-trades';
import { cardTrade as currentCardTrade } from '../../../workflows/card-trade';

/**
 * Test only — an INCOMPATIBLE change of workflows/card-trade.ts as someone might make it without
 * patched(): a new first step (ask the escrow before the proposal is opened). Replaying recorded
 * histories must fail.
 */
const escrow = proxyActivities<CardEscrowActivities>({ startToCloseTimeout: '30 seconds' });

export async function cardTrade(input: CardTradeInput): Promise<CardTradeState> {
  await escrow.cardsEscrowCheck({ proposalId: input.proposalId });
  return currentCardTrade(input);
}
