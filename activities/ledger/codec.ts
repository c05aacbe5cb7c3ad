import { ValidationError } from '../../lib/errors';
import {
  ENTRY_TYPES,
  SYSTEM_ACCOUNTS,
  type AccountRef,
  type Actor,
  type EntryRefs,
  type EntryStatus,
  type EntryType,
  type HoldInfo,
  type LedgerEntry,
  type MovementResult,
  type PostingInput,
  type RecordInput,
  type UndoHoldResult,
} from './types';

/** Checks what the SQL checks too, but with messages for the caller, and before a round trip. */

const SNOWFLAKE = /^[0-9]{1,20}$/;
const ASSET_CODE = /^[a-z][a-z0-9_]{0,31}$/;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

export function checkGuildId(guildId: string): void {
  if (!SNOWFLAKE.test(guildId)) throw new ValidationError(`Guild id must be a Discord snowflake, not ${JSON.stringify(guildId)}.`);
}

export function checkAccount(account: AccountRef, what = 'account'): void {
  if (account.ownerType === 'user') {
    if (!SNOWFLAKE.test(account.ownerId)) throw new ValidationError(`The ${what}'s user id must be a Discord snowflake, not ${JSON.stringify(account.ownerId)}.`);
  } else if (account.ownerType === 'system') {
    if (!SYSTEM_ACCOUNTS.includes(account.ownerId)) {
      throw new ValidationError(`The ${what} is not a system account: ${JSON.stringify(account.ownerId)} (one of ${SYSTEM_ACCOUNTS.join(', ')}).`);
    }
  } else {
    throw new ValidationError(`The ${what}'s ownerType must be 'user' or 'system'.`);
  }
}

export function checkAsset(asset: string): void {
  if (!ASSET_CODE.test(asset)) throw new ValidationError(`Asset code must be lowercase letters, digits and _ (e.g. currency, gems), not ${JSON.stringify(asset)}.`);
}

export function checkAmount(amount: bigint, what: string, { positive }: { positive: boolean }): void {
  if (typeof amount !== 'bigint') throw new ValidationError(`${what} must be a bigint (integer minor units).`);
  if (positive ? amount <= 0n : amount === 0n) throw new ValidationError(`${what} must be ${positive ? 'positive' : 'non-zero'}, not ${amount}.`);
  if (amount < INT8_MIN || amount > INT8_MAX) throw new ValidationError(`${what} is out of range: ${amount}.`);
}

export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length < 1 || key.length > 200) throw new ValidationError('The idempotency key must be 1–200 characters.');
}

function checkMeta(input: Pick<RecordInput, 'guildId' | 'key' | 'type' | 'actor' | 'reason' | 'refs'>): void {
  checkGuildId(input.guildId);
  checkKey(input.key);
  if (!(ENTRY_TYPES as readonly string[]).includes(input.type)) {
    throw new ValidationError(`Unknown entry type ${JSON.stringify(input.type)} (one of ${ENTRY_TYPES.join(', ')}).`);
  }
  checkActor(input.actor);
  if (input.reason != null && input.reason.length > 1000) throw new ValidationError('The reason must be at most 1000 characters.');
  if (input.refs !== undefined && (input.refs === null || typeof input.refs !== 'object' || Array.isArray(input.refs))) {
    throw new ValidationError('refs must be an object of strings, numbers, booleans or nulls.');
  }
}

export function checkActor(actor: Actor): void {
  if (!actor || !['user', 'api_token', 'system'].includes(actor.type)) throw new ValidationError("The actor's type must be 'user', 'api_token' or 'system'.");
  if (typeof actor.id !== 'string' || actor.id.length < 1 || actor.id.length > 100) throw new ValidationError("The actor's id must be 1–100 characters.");
}

/** Validates a movement and returns the arguments of `ledger_record(…)`, in order. */
export function recordParams(input: RecordInput, hold: boolean): unknown[] {
  checkMeta(input);
  const postings = input.postings;
  if (!Array.isArray(postings) || postings.length < 2) throw new ValidationError('A movement needs at least two postings.');
  if (hold && postings.length !== 2) throw new ValidationError('A hold moves one asset from one account to another.');
  const seen = new Set<string>();
  const sums = new Map<string, bigint>();
  postings.forEach((p: PostingInput, i) => {
    checkAccount(p.account, `account of posting ${i + 1}`);
    checkAsset(p.asset);
    checkAmount(p.amount, `The amount of posting ${i + 1}`, { positive: false });
    const id = `${p.asset}/${p.account.ownerType}/${p.account.ownerId}`;
    if (seen.has(id)) throw new ValidationError(`Two postings for the same account (${id}): combine them into one.`);
    seen.add(id);
    sums.set(p.asset, (sums.get(p.asset) ?? 0n) + p.amount);
  });
  for (const [asset, sum] of sums) {
    if (sum !== 0n) throw new ValidationError(`The postings in ${asset} sum to ${sum}; each asset's postings must sum to zero.`);
  }
  if (hold && sums.size !== 1) throw new ValidationError('A hold moves one asset.');
  return [
    input.guildId,
    input.key,
    input.type,
    hold,
    input.actor.type,
    input.actor.id,
    input.reason ?? null,
    JSON.stringify(input.refs ?? {}),
    JSON.stringify(postings.map((p) => ({ ownerType: p.account.ownerType, ownerId: p.account.ownerId, asset: p.asset, amount: p.amount.toString() }))),
  ];
}

// ─── Decoding what the SQL functions return (ledger_entry_json's shape) ────────────────────────────────

interface PostingJson {
  accountId: string;
  ownerType: 'user' | 'system';
  ownerId: string;
  asset: string;
  amount: string;
  balanceAfter: string;
}

interface AccountJson {
  ownerType: 'user' | 'system';
  ownerId: string;
}

export interface EntryJson {
  entryId: string;
  key: string;
  replayed: boolean;
  guildId: string;
  type: EntryType;
  status: EntryStatus;
  actorType: Actor['type'];
  actorId: string;
  reason: string | null;
  refs: EntryRefs;
  createdAt: string;
  postedAt: string | null;
  voidedAt: string | null;
  postings: PostingJson[];
  hold: { from: AccountJson; to: AccountJson; asset: string; amount: string; postedAmount: string | null } | null;
}

const account = (a: AccountJson): AccountRef => ({ ownerType: a.ownerType, ownerId: a.ownerId }) as AccountRef;
const date = (s: string | null): Date | null => (s === null ? null : new Date(s));

export function decodeEntry(json: EntryJson): LedgerEntry {
  const hold: HoldInfo | null = json.hold && {
    from: account(json.hold.from),
    to: account(json.hold.to),
    asset: json.hold.asset,
    amount: BigInt(json.hold.amount),
    postedAmount: json.hold.postedAmount === null ? null : BigInt(json.hold.postedAmount),
  };
  return {
    id: BigInt(json.entryId),
    key: json.key,
    guildId: json.guildId,
    type: json.type,
    status: json.status,
    actor: { type: json.actorType, id: json.actorId },
    reason: json.reason,
    refs: json.refs,
    createdAt: new Date(json.createdAt),
    postedAt: date(json.postedAt),
    voidedAt: date(json.voidedAt),
    postings: json.postings.map((p) => ({
      accountId: BigInt(p.accountId),
      account: account(p),
      asset: p.asset,
      amount: BigInt(p.amount),
      balanceAfter: BigInt(p.balanceAfter),
    })),
    hold,
  };
}

export function decodeResult(json: EntryJson): MovementResult {
  return { entry: decodeEntry(json), replayed: json.replayed };
}

/** What ledger_undo_hold returns (see its migration, *_ledger_hold_tombstones). */
export type UndoJson =
  | { outcome: 'voided' | 'already_voided'; replayed: boolean; hold: EntryJson }
  | { outcome: 'reversed'; replayed: boolean; hold: EntryJson; reversal: EntryJson }
  | { outcome: 'never_held'; replayed: boolean; key: string; tombstonedAt: string };

export function decodeUndo(json: UndoJson): UndoHoldResult {
  switch (json.outcome) {
    case 'never_held':
      return { outcome: json.outcome, replayed: json.replayed, key: json.key, tombstonedAt: new Date(json.tombstonedAt) };
    case 'reversed':
      return { outcome: json.outcome, replayed: json.replayed, key: json.hold.key, hold: decodeEntry(json.hold), reversal: decodeEntry(json.reversal) };
    default:
      return { outcome: json.outcome, replayed: json.replayed, key: json.hold.key, hold: decodeEntry(json.hold) };
  }
}

/**
 * A JSON-safe copy: bigint → decimal string, Date → ISO string (for API bodies and Temporal payloads).
 */
export type JsonSafe<T> = T extends bigint
  ? string
  : T extends Date
    ? string
    : T extends (infer U)[]
      ? JsonSafe<U>[]
      : T extends object
        ? { [K in keyof T]: JsonSafe<T[K]> }
        : T;

export function toJsonSafe<T>(value: T): JsonSafe<T> {
  if (typeof value === 'bigint') return value.toString() as JsonSafe<T>;
  if (value instanceof Date) return value.toISOString() as JsonSafe<T>;
  if (Array.isArray(value)) return value.map((v: unknown) => toJsonSafe(v)) as JsonSafe<T>;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSafe(v)])) as JsonSafe<T>;
  }
  return value as JsonSafe<T>;
}
