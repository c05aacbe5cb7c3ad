/**
 * The ledger's vocabulary. Amounts are integer minor units as `bigint` everywhere in
 * TypeScript; the Temporal activities (activities.ts) carry them as decimal strings, since bigint does not
 * survive JSON.
 */

import type { UndoHoldOutcome } from '../../lib/flows/ledger';

/** The guild's system accounts: where issued value comes from, where spent value goes, value in transit. */
export const SYSTEM_ACCOUNTS = ['issuance', 'sink', 'escrow', 'gateway'] as const;
export type SystemAccountName = (typeof SYSTEM_ACCOUNTS)[number];

/**
 * Who holds an account (with the asset, the account itself). A user is a Discord user id (snowflake).
 * System accounts: 'issuance' goes negative by what was issued (daily rewards, admin grants, top-ups);
 * 'sink' collects what was spent (purchases); 'escrow' holds value between two parties; 'gateway' is the
 * payment gateway's side of top-ups and refunds.
 */
export type AccountRef = { ownerType: 'user'; ownerId: string } | { ownerType: 'system'; ownerId: SystemAccountName };

export const userAccount = (userId: string): AccountRef => ({ ownerType: 'user', ownerId: userId });
export const systemAccount = (name: SystemAccountName): AccountRef => ({ ownerType: 'system', ownerId: name });

/** Every guild has 'currency' (its own name and emoji) and 'gems'; more can be added per guild. */
export type AssetCode = 'currency' | 'gems' | (string & {});

/** What a movement is, for statements, filters and stats. Add new kinds here. */
export const ENTRY_TYPES = [
  'daily',
  'give',
  'admin_adjust',
  'purchase',
  'topup',
  'refund',
  /** A member sold shop items back (activities/shop/use-sell.ts). */
  'sell_back',
  'escrow',
  'reward',
  'reversal',
  'transfer',
  /** Written by the archive only (archive.ts): carries the net postings of the entries it archived. */
  'checkpoint',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

export type EntryStatus = 'posted' | 'pending' | 'voided';

/** Who caused a movement: a Discord user, an API token (its id) or Guildflow itself (a flow's name). */
export interface Actor {
  type: 'user' | 'api_token' | 'system';
  id: string;
}

/** JSON-serialisable references stored with an entry: workflowId, orderId, paymentId, interactionId… */
export type EntryRefs = Record<string, string | number | boolean | null>;

export interface Asset {
  id: number;
  guildId: string;
  code: AssetCode;
  name: string;
  emoji: string;
  createdAt: Date;
}

export interface PostingInput {
  account: AccountRef;
  asset: AssetCode;
  /** Positive credits the account, negative debits it. Never 0. */
  amount: bigint;
}

export interface MovementMeta {
  guildId: string;
  /**
   * Idempotency key (1–200 characters), unique across the ledger: derive it from what the movement is
   * for, e.g. `daily:{guild}:{user}:{day}`, `give:{interactionId}`, `{workflowId}:charge`. Applying the
   * same key again returns the first result; the same key for different content is refused.
   */
  key: string;
  type: EntryType;
  actor: Actor;
  /** Shown in statements and the admin log (≤ 1000 characters). */
  reason?: string | null;
  refs?: EntryRefs;
}

export interface RecordInput extends MovementMeta {
  /** At least two, one per (account, asset); per asset the amounts sum to zero. */
  postings: PostingInput[];
}

export interface TransferInput extends MovementMeta {
  asset: AssetCode;
  from: AccountRef;
  to: AccountRef;
  /** > 0 */
  amount: bigint;
}

export type HoldInput = TransferInput;

export interface Posting {
  accountId: bigint;
  account: AccountRef;
  asset: AssetCode;
  amount: bigint;
  /** The account's posted balance right after this posting. */
  balanceAfter: bigint;
}

export interface HoldInfo {
  from: AccountRef;
  to: AccountRef;
  asset: AssetCode;
  /** What the hold reserved. */
  amount: bigint;
  /** What was moved when it was posted (≤ amount); null while pending or when voided. */
  postedAmount: bigint | null;
}

export interface LedgerEntry {
  id: bigint;
  key: string;
  guildId: string;
  type: EntryType;
  status: EntryStatus;
  actor: Actor;
  reason: string | null;
  refs: EntryRefs;
  createdAt: Date;
  postedAt: Date | null;
  voidedAt: Date | null;
  /** Sorted in the ledger's lock order (asset, owner type, owner id). Empty for a pending or voided hold. */
  postings: Posting[];
  hold: HoldInfo | null;
}

export interface MovementResult {
  entry: LedgerEntry;
  /** true when this key had already been applied: nothing changed and `entry` is the first result. */
  replayed: boolean;
}

/** Undoing a hold whatever became of it (Ledger.undoHold): a saga's compensation, registered before its hold step. */
export interface UndoHoldInput {
  /** The hold's key. */
  key: string;
  /** The key of the reversal entry when the hold was posted. Default: `holdReversalKey(key)` (lib/flows/ledger.ts). */
  reversalKey?: string;
  /** Why (the reversal entry's reason, ≤ 1000 characters). */
  reason: string;
  /** Who undoes it (the reversal's actor). Default: Guildflow itself, `{ type: 'system', id: 'compensation' }`. */
  actor?: Actor;
  /** Kept with the reversal entry, besides `holdKey` and `holdEntryId`, which the ledger sets. */
  refs?: EntryRefs;
}

/** `replayed`: this call changed nothing (an earlier undo, or someone else, had already done it). */
export type UndoHoldResult =
  | { outcome: Extract<UndoHoldOutcome, 'voided' | 'already_voided'>; replayed: boolean; key: string; hold: LedgerEntry }
  | { outcome: Extract<UndoHoldOutcome, 'reversed'>; replayed: boolean; key: string; hold: LedgerEntry; reversal: LedgerEntry }
  | { outcome: Extract<UndoHoldOutcome, 'never_held'>; replayed: boolean; key: string; tombstonedAt: Date };

export interface Balance {
  /** Posted balance. */
  balance: bigint;
  /** Reserved by pending holds. */
  held: bigint;
  /** balance - held: what can be spent or held now. */
  available: bigint;
}

export interface EntriesQuery {
  guildId: string;
  /** Only entries touching this account (postings or a hold). */
  account?: AccountRef;
  /** With `account`: only that asset's account; without: entries with a posting or hold in this asset. */
  asset?: AssetCode;
  type?: EntryType | EntryType[];
  status?: EntryStatus | EntryStatus[];
  /** Entries created at or after / before these times. */
  since?: Date;
  until?: Date;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  /** 1–100, default 25. */
  limit?: number;
}

export interface Page<T> {
  /** Newest first. */
  items: T[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface AccountSummary extends Balance {
  accountId: bigint;
  account: AccountRef;
  asset: AssetCode;
}
