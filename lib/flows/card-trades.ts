import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PermissionLevel } from '../permissions';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow, INPUT_FAILURES, type Patience } from './flow';

/**
 * Card trades' public face: the proposal flow `card-trade:{proposalId}` (workflows/card-trade.ts), its
 * updates, signal and status query, input and state types, the failure types, and the escrow activities
 * the flow calls when a trade has cash in it (`CardEscrowActivities`, implemented by the card escrow
 * feature). Pure: safe in workflow code.
 */

/** Card trades' refusals by name (activities/card-trades/errors.ts raises them). */
export const CARD_TRADE_FAILURES = {
  proposalNotFound: 'TradeProposalNotFound',
  proposalState: 'TradeProposalState',
  /** A card is offered beyond the copies not yet reserved by live proposals. */
  cardsNotAvailable: 'CardsNotAvailable',
  notParty: 'NotATradeParty',
  alreadyRated: 'AlreadyRated',
  /** Cash in a trade while the escrow activities are not part of this deployment. */
  cashUnavailable: 'CashTradesUnavailable',
  /** An update's validator said no (not your turn, expired, already decided). */
  refused: 'Refused',
} as const;

/** What the trade flow never retries: its own refusals, bad input and Discord's. */
/**
 * The escrow's failure types, by name: the trade flow never retries them
 * (a retry cannot change these answers).
 */
export const CARD_ESCROW_FAILURES = {
  off: 'CardEscrowOff',
  noPayoutAccount: 'CardEscrowNoPayoutAccount',
  invalid: 'CardEscrowInvalid',
  unknown: 'CardEscrowUnknown',
  notHeld: 'CardEscrowNotHeld',
  alreadyReleased: 'CardEscrowAlreadyReleased',
  alreadyRefunded: 'CardEscrowAlreadyRefunded',
  providerRejected: 'CardEscrowProviderRejected',
} as const;

export const CARD_TRADE_REFUSALS: readonly string[] = [...Object.values(CARD_TRADE_FAILURES), ...Object.values(CARD_ESCROW_FAILURES), ...INPUT_FAILURES, ...DISCORD_REFUSALS];

/** A number of copies of one collection item (its id as a decimal string). */
export interface CardTradeLineInput {
  collectionItemId: string;
  quantity: number;
}

/** One version's terms, written by the party who offers them. */
export interface CardTradeTerms {
  /** From the offerer's collection (reserved while the terms stand). */
  offered: CardTradeLineInput[];
  /** From the other party's collection. */
  asked: CardTradeLineInput[];
  /** Cash that balances the terms (USD cents), 0 or absent for none. */
  cashCents?: number;
  /** Which party pays the cash: one of the two. */
  cashPayerId?: string | null;
  message?: string | null;
}

export interface CardTradeInput {
  proposalId: string;
  guildId: string;
  proposerId: string;
  recipientId: string;
  terms: CardTradeTerms;
  /** How long each version's terms stand (the guild's proposal_expiry_hours in production). */
  expirySeconds: number;
  /** How long before the expiry both parties are reminded (reminder_hours); 0: no reminder. */
  reminderSeconds: number;
  /**
   * How long both parties have to confirm receipt once the trade is accepted (and its cash held), before
   * both are reminded and the admin log told (the guild's confirm_days); absent or 0: no deadline.
   */
  confirmSeconds?: number | null;
  /** How long the flow waits between its own checks of an escrow payment (a webhook's signal wakes it sooner). */
  escrowCheckSeconds?: number | null;
  /** How long a step that must happen is retried before the flow is marked stuck (default: DEFAULT_PATIENCE). */
  patience?: Patience | null;
}

export type CardTradeStatus = 'opening' | 'refused' | 'proposed' | 'accepted' | 'disputed' | 'completed' | 'declined' | 'cancelled' | 'expired';
export type CardTradeEscrow = 'none' | 'opening' | 'pending' | 'held' | 'released' | 'refunded' | 'failed';

export interface CardTradeState {
  proposalId: string;
  status: CardTradeStatus;
  version: number;
  offererId: string;
  /** Who must answer the current terms (null once they are answered). */
  turnUserId: string | null;
  /** ISO time the current terms expire. */
  expiresAt: string | null;
  received: { proposer: boolean; recipient: boolean };
  escrow: CardTradeEscrow;
  payUrl: string | null;
  dispute: { openedBy: string; reason: string } | null;
  /** Why the proposal was refused or ended, in words. */
  reason: string | null;
}

export interface CardTradeResult {
  ok: boolean;
  status: CardTradeStatus;
  message: string;
}

export type CardTradeResponse =
  | { userId: string; action: 'accept' | 'decline' | 'cancel' }
  | { userId: string; action: 'counter'; terms: CardTradeTerms };

export interface CardTradeResolution {
  /** The server the moderator acts in; the flow refuses another. */
  guildId: string;
  moderatorId: string;
  /** The moderator's level, as the bot or the API found it (mod or above may resolve). */
  level: PermissionLevel;
  /** complete: the trade stands; cancel: nothing moves, cash refunded. */
  outcome: 'complete' | 'cancel';
  /** The party the resolution goes against (a dispute lost), if any. */
  loserId: string | null;
  note?: string | null;
}

export const cardTradeStatusQuery = defineQuery<CardTradeState>('status');
/** Answers once the proposal is open (cards reserved) or refused: update-with-start gives the proposer the outcome. */
export const cardTradeOpenedUpdate = defineUpdate<CardTradeResult>('opened');
export const cardTradeRespondUpdate = defineUpdate<CardTradeResult, [CardTradeResponse]>('respond');
export const cardTradeConfirmUpdate = defineUpdate<CardTradeResult, [{ userId: string }]>('confirmReceipt');
export const cardTradeDisputeUpdate = defineUpdate<CardTradeResult, [{ userId: string; reason: string }]>('dispute');
export const cardTradeResolveUpdate = defineUpdate<CardTradeResult, [CardTradeResolution]>('resolve');
/**
 * A party posted a message on the proposal (its row already recorded): the flow relays it to the other
 * party, once per message id. The activity reads author and proposal from the row, not from the signal.
 */
export const cardTradeMessageSignal = defineSignal<[{ messageId: string; authorId: string }]>('messagePosted');
/** The escrow's payment changed (a webhook saw it): wakes the flow, which asks cardsEscrowCheck. Carries nothing. */
export const escrowChangedSignal = defineSignal('escrowChanged');

export const cardTradeFlow = defineFlow({ type: 'cardTrade', kind: 'card-trade', id: (proposalId: string) => `card-trade:${proposalId}` });

/**
 * The escrow of a trade's cash (implemented by the card escrow feature; the trade flow calls them by name).
 * Only cardsEscrowCheck — our own call to Stripe — may make the flow treat money as held.
 */
export interface CardEscrowActivities {
  /** Idempotent per proposalId. */
  cardsEscrowOpen(i: { proposalId: string; guildId: string; payerId: string; payeeId: string; amountCents: number; currency: 'usd' }): Promise<{ paymentIntentId: string; payUrl: string }>;
  cardsEscrowCheck(i: { proposalId: string }): Promise<{ status: 'pending' | 'held' | 'failed' | 'refunded' | 'released' }>;
  /** To the payee's connected account, minus the platform fee; idempotent. */
  cardsEscrowRelease(i: { proposalId: string }): Promise<{ transferId: string }>;
  /** Idempotent; null when nothing was paid. */
  cardsEscrowRefund(i: { proposalId: string; reason: string }): Promise<{ refundId: string | null }>;
}

/** What the parties are told about, each once per key (`message`: the other party wrote; `overdue`: receipts late). */
export type CardTradeNoticeKind =
  | 'proposal_received'
  | 'countered'
  | 'accepted'
  | 'expiring'
  | 'completed'
  | 'dispute'
  | 'declined'
  | 'cancelled'
  | 'expired'
  | 'resolved'
  | 'message'
  | 'overdue';
