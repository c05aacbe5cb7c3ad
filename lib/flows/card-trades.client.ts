import type { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { AppError } from '../errors';
import { FlowClosedError, readFlowStatus, signalFlow, updateFlow, updateWithStartFlow, type FlowStatus, type FlowTarget } from './client';
import {
  cardTradeConfirmUpdate,
  cardTradeMessageSignal,
  cardTradeDisputeUpdate,
  cardTradeFlow,
  cardTradeOpenedUpdate,
  cardTradeResolveUpdate,
  cardTradeRespondUpdate,
  cardTradeStatusQuery,
  escrowChangedSignal,
  type CardTradeInput,
  type CardTradeResolution,
  type CardTradeResponse,
  type CardTradeResult,
  type CardTradeState,
} from './card-trades';

/**
 * How the bot, the API and the escrow webhook talk to the trade flow `card-trade:{proposalId}`: propose
 * (update-with-start: the answer says whether the cards were reserved), the validated answers the buttons
 * and the routes share, the status, and the escrow's wake-up. A refused update is FlowRefusedError (409)
 * with the validator's words; a trade that is over is 404 `trade_closed`.
 */

/** Starts the proposal and waits until its cards are reserved or it is refused (same id again: the same answer). */
export async function proposeTrade(target: FlowTarget, input: CardTradeInput): Promise<CardTradeResult & { workflowId: string }> {
  const { workflowId, result } = await updateWithStartFlow(target, cardTradeFlow, [input.proposalId], {
    guildId: input.guildId,
    userId: input.proposerId,
    summary: `Card trade ${input.proposalId}: ${input.proposerId} → ${input.recipientId}`,
    input,
    update: cardTradeOpenedUpdate,
    updateArgs: [],
    reuse: 'reject',
  });
  return { ...result, workflowId };
}

async function tradeUpdate<Arg>(temporal: Client | null | undefined, proposalId: string, update: UpdateDefinition<CardTradeResult, [Arg]>, arg: Arg): Promise<CardTradeResult> {
  try {
    return await updateFlow(temporal, cardTradeFlow.id(proposalId), update, arg);
  } catch (err) {
    if (err instanceof FlowClosedError) throw new AppError('trade_closed', 'This trade is over (or there is no such trade): nothing was changed.', 404);
    throw err;
  }
}

/** Accept, decline, counter (the party whose turn it is) or cancel (the proposer). */
export const respondToTrade = (temporal: Client | null | undefined, proposalId: string, response: CardTradeResponse) => tradeUpdate(temporal, proposalId, cardTradeRespondUpdate, response);
export const confirmTradeReceipt = (temporal: Client | null | undefined, proposalId: string, userId: string) => tradeUpdate(temporal, proposalId, cardTradeConfirmUpdate, { userId });
export const disputeTrade = (temporal: Client | null | undefined, proposalId: string, userId: string, reason: string) =>
  tradeUpdate(temporal, proposalId, cardTradeDisputeUpdate, { userId, reason });
export const resolveTradeDispute = (temporal: Client | null | undefined, proposalId: string, resolution: CardTradeResolution) =>
  tradeUpdate(temporal, proposalId, cardTradeResolveUpdate, resolution);

/** The flow's Temporal status and its own state (also after it ended). */
export const readTradeStatus = (temporal: Client | null | undefined, proposalId: string): Promise<FlowStatus<CardTradeState>> =>
  readFlowStatus(temporal, cardTradeFlow.id(proposalId), cardTradeStatusQuery, undefined, { queryClosed: true });

/** The escrow's payment changed (a webhook saw it): wakes the flow, which checks with Stripe itself. */
export const wakeTradeEscrow = (temporal: Client | null | undefined, proposalId: string): Promise<boolean> => signalFlow(temporal, cardTradeFlow.id(proposalId), escrowChangedSignal);

/** A message was recorded on the proposal: the flow relays it to the other party. False when the trade is over. */
export const relayTradeMessage = (temporal: Client | null | undefined, proposalId: string, message: { messageId: string; authorId: string }): Promise<boolean> =>
  signalFlow(temporal, cardTradeFlow.id(proposalId), cardTradeMessageSignal, message);
