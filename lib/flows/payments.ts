import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PaymentStatus } from '../payments/provider';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow, INPUT_FAILURES, type InteractionReply, type Patience } from './flow';
import { LEDGER_FAILURES } from './ledger';

/**
 * The top-up's public face: workflow `topup`, id `topup:{paymentId}`. The gateway's webhook signals it
 * `paymentUpdate`, which only wakes it: whether it is paid is asked of the gateway itself (a signal can be
 * sent by anyone with access to Temporal). A credited top-up signals the order it was started for
 * (lib/flows/orders.ts).
 */

/** Payments' own refusals by name. */
export const PAYMENT_FAILURES = {
  paymentsDisabled: 'PaymentsDisabled',
  providerRejected: 'PaymentProviderRejected',
  amountOutOfRange: 'TopupAmountOutOfRange',
  amountMismatch: 'PaymentAmountMismatch',
  notConfirmed: 'PaymentNotConfirmed',
  paymentConflict: 'PaymentConflict',
  paymentNotFound: 'PaymentNotFound',
  /** The member started as many top-ups as the guild allows per hour. */
  memberLimit: 'TopupLimitReached',
} as const;

/**
 * What the top-up flow never retries. Only the ledger refusals a credit can meet: a short 'gateway'
 * account is not one of them.
 */
export const PAYMENT_REFUSALS: readonly string[] = [
  ...Object.values(PAYMENT_FAILURES),
  ...INPUT_FAILURES,
  LEDGER_FAILURES.idempotencyConflict,
  LEDGER_FAILURES.unknownAsset,
  ...DISCORD_REFUSALS,
];

/** A payment's statuses (the `payments` table and the flow's state): created → pending → settled | expired | denied | cancelled | failed. */
export const TOPUP_STATUSES = ['created', 'pending', 'settled', 'expired', 'denied', 'cancelled', 'failed'] as const;
export type TopupStatusName = (typeof TOPUP_STATUSES)[number];
export type TopupStep = 'charging' | 'waiting' | 'waiting_late' | 'crediting' | 'done';

export interface TopupInput {
  paymentId: string;
  requestKey: string;
  guildId: string;
  userId: string;
  /** Whole rupiah, decimal string; credited 1:1 in the guild's currency. */
  amount: string;
  /** How long the QR code is shown as valid. */
  expirySeconds: number;
  /** How often the gateway is asked for the status while waiting. */
  pollSeconds: number;
  /** After the expiry, how long a late payment is still waited for (and accepted by the gateway). */
  lateSettlementSeconds: number;
  /** The /topup reply (ephemeral), edited with the QR code and the outcome. */
  reply?: InteractionReply | null;
  /** A code order waiting for this money (its Top up button): signalled `fundsAdded` once credited. */
  notifyOrderId?: string | null;
  /** How long a step that must happen is retried before the flow is marked stuck (default: DEFAULT_PATIENCE). */
  patience?: Patience | null;
}

export interface TopupState {
  paymentId: string;
  status: TopupStatusName;
  step: TopupStep;
  /** The gateway's last accepted status (settlement, pending, expire…). */
  providerStatus: string | null;
  credited: boolean;
  /** ISO time the QR code expires. */
  expiresAt: string | null;
  failureReason: string | null;
  /** Updates received by signal (duplicates included) and status polls made. */
  notifications: number;
  polls: number;
}

/** A gateway status as the top-up flow receives it: from its own polling, or a webhook's signal (which only wakes it). */
export interface PaymentUpdate {
  status: PaymentStatus;
  providerStatus: string;
  fraudStatus: string | null;
  transactionId: string;
  grossAmount: string;
  source: 'webhook' | 'poll' | 'cancel';
}

/** How far a status is along the life of a payment: a lower rank after a higher one is a regression. */
export const statusRank = (s: PaymentStatus): number => (s === 'pending' ? 0 : s === 'refunded' ? 2 : 1);

export const paymentUpdateSignal = defineSignal<[PaymentUpdate]>('paymentUpdate');
export const topupStatusQuery = defineQuery<TopupState>('status');

export const topupFlow = defineFlow({ type: 'topup', kind: 'topup', id: (paymentId: string): string => `topup:${paymentId}` });
