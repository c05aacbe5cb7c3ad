import { defineSignal } from '@temporalio/workflow';

/**
 * What the Stripe webhook needs of the card trade flow, by the names of the card trading contract: its
 * workflow id and the `escrowChanged` signal (no payload: it only wakes the flow, which then asks Stripe
 * through `cardsEscrowCheck`). The trade flow's face (lib/flows/card-trades.ts) defines the same; at merge
 * the webhook imports those and this file goes.
 */
export const cardTradeWorkflowId = (proposalId: string) => `card-trade:${proposalId}`;

export const escrowChangedSignal = defineSignal('escrowChanged');
