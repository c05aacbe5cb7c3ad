import { defineQuery, defineSignal } from '@temporalio/workflow';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow, INPUT_FAILURES, type InteractionReply, type Patience } from './flow';
import { LEDGER_REFUSALS } from './ledger';

/**
 * A code order's public face: workflow `order`, id `order:{orderId}`. It waits for a top-up on
 * `fundsAdded` (the top-up flow sends it) and for an admin on `adminAction`.
 */

/** Orders' own failure types by name. */
export const ORDER_FAILURES = {
  outOfStock: 'OutOfStock',
  codeShopDisabled: 'CodeShopDisabled',
  packageNotFound: 'PackageNotFound',
  packageUnavailable: 'PackageUnavailable',
  priceChanged: 'PriceChanged',
  orderConflict: 'OrderConflict',
  /** The member placed as many orders as the guild allows per hour. */
  memberLimit: 'OrderLimitReached',
  /** What a cancelled order reports (never raised by an activity). */
  cancelled: 'OrderCancelled',
} as const;

/** What the order flow never retries. */
export const ORDER_REFUSALS: readonly string[] = [...Object.values(ORDER_FAILURES), ...INPUT_FAILURES, ...LEDGER_REFUSALS, ...DISCORD_REFUSALS];

/** An order's statuses (the `code_orders` table and the flow's state). */
export const ORDER_STATUSES = ['pending', 'awaiting_funds', 'completed', 'failed', 'refunded', 'needs_admin'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export type OrderStep = 'checking' | 'holding_funds' | 'awaiting_funds' | 'reserving' | 'delivering' | 'needs_admin' | 'charging' | 'compensating' | 'done';

export interface OrderInput {
  orderId: string;
  requestKey: string;
  guildId: string;
  userId: string;
  packageId: number;
  /** The package price the member was shown (decimal string); a changed price is refused. */
  expectedPrice?: string | null;
  reply?: InteractionReply | null;
  /** How long a short balance is waited for. */
  topupWaitSeconds: number;
  /** How often the hold is retried while waiting for funds. */
  fundsRetrySeconds: number;
  /** How long delivery is retried before the order needs an admin. */
  deliveryTimeoutSeconds: number;
  /** First wait between delivery attempts (doubles, at most 10 minutes). */
  deliveryRetrySeconds: number;
  /** How long a step that must happen is retried before the flow is marked stuck (default: DEFAULT_PATIENCE). */
  patience?: Patience | null;
}

export interface OrderState {
  orderId: string;
  status: OrderStatus;
  step: OrderStep;
  failureReason: string | null;
  deliveredVia: string | null;
  deliveryAttempts: number;
}

export interface AdminAction {
  action: 'retry' | 'complete' | 'refund';
  /** Discord user id or API token id of the admin. */
  by: string;
}

export const orderStatusQuery = defineQuery<OrderState>('status');
export const fundsAddedSignal = defineSignal('fundsAdded');
export const orderAdminSignal = defineSignal<[AdminAction]>('adminAction');

export const orderFlow = defineFlow({ type: 'order', kind: 'order', id: (orderId: string): string => `order:${orderId}` });

/** The ledger key of the order's hold on the member's funds. */
export const orderHoldKey = (orderId: string): string => `order:${orderId}:hold`;
