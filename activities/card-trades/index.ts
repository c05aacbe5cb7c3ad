/**
 * Card trades: members propose trades of their collections' cards (with optional cash in escrow) through
 * the workflow `card-trade:{proposalId}`, counter, accept, confirm receipt, dispute and rate. Its public
 * face is lib/flows/card-trades.ts.
 */
export * from './errors';
export * from './service';
export * from './reputation';
export * from './messages';
export * from './conversation';
