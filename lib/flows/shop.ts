import { defineQuery } from '@temporalio/workflow';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow, INPUT_FAILURES, type FailureInfo, type InteractionReply, type Patience } from './flow';
import { LEDGER_REFUSALS } from './ledger';

/**
 * The shop's purchase flow as the bot, the API, activities and the workflow see it: workflow id
 * `purchase:{purchaseId}`, its input, state and status query, and the one list of the failure types it
 * never retries.
 */

/** The shop's refusals by name (activities/shop/errors.ts raises them). */
export const SHOP_FAILURES = {
  itemNotFound: 'ItemNotFound',
  itemUnavailable: 'ItemUnavailable',
  priceChanged: 'PriceChanged',
  requiredRole: 'RequiredRoleMissing',
  perUserLimit: 'PerUserLimit',
  outOfStock: 'OutOfStock',
  insufficientItems: 'InsufficientItems',
  /** An inventory key reused for another movement (the ledger's own conflict has the same type). */
  idempotencyConflict: 'IdempotencyConflict',
  purchaseState: 'PurchaseState',
  purchaseNotFound: 'PurchaseNotFound',
  /** A confirm replayed for a purchase that had already failed. */
  purchaseFailed: 'PurchaseFailed',
  nameTaken: 'ItemNameTaken',
} as const;

/** What the purchase flow never retries: the shop's refusals, bad input, the ledger's and Discord's. */
export const SHOP_REFUSALS: readonly string[] = [...Object.values(SHOP_FAILURES), ...INPUT_FAILURES, ...LEDGER_REFUSALS, ...DISCORD_REFUSALS];

/** What a cancelled purchase says (the workflow's failure when Temporal cancels it). */
export const PURCHASE_CANCELLED: FailureInfo = { type: 'PurchaseCancelled', message: 'The purchase was cancelled.' };

/** A confirm click, as the bot starts the flow with it. */
export interface PurchaseInput {
  /** The purchase's id (also its workflow's), derived from the /buy interaction. */
  purchaseId: string;
  /** Unique per confirm request: a double click finds the same purchase. */
  requestKey: string;
  guildId: string;
  userId: string;
  itemId: number;
  quantity: number;
  /** The member's role ids when they confirmed (for the item's required role). */
  memberRoleIds: string[];
  /** The unit price the member was shown (decimal string); a changed price is refused. */
  expectedUnitPrice?: string | null;
  /** The confirm message, edited with the outcome while its interaction token is valid. */
  reply?: InteractionReply | null;
  /** How long a step that must happen is retried before the flow is marked stuck (default: DEFAULT_PATIENCE). */
  patience?: Patience | null;
}

export type PurchaseStatusName = 'pending' | 'completed' | 'failed' | 'role_expired';
export type PurchaseStep =
  | 'checking'
  | 'holding_funds'
  | 'taking_stock'
  | 'granting_role'
  | 'adding_to_inventory'
  | 'charging'
  | 'compensating'
  | 'role_active'
  | 'removing_role'
  | 'done';

export interface PurchaseState {
  purchaseId: string;
  status: PurchaseStatusName;
  step: PurchaseStep;
  failureReason: string | null;
  /** ISO time the timed role ends, once granted. */
  roleExpiresAt: string | null;
}

export const purchaseStatusQuery = defineQuery<PurchaseState>('status');

export const purchaseFlow = defineFlow({ type: 'purchase', kind: 'purchase', id: (purchaseId: string) => `purchase:${purchaseId}` });
