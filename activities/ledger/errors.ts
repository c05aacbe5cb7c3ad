import { NotFoundError, RefusalError, ValidationError } from '../../lib/errors';
import { LEDGER_FAILURES } from '../../lib/flows/ledger';
import type { AccountRef, AssetCode, EntryStatus } from './types';

/**
 * The ledger's business refusals. Each has a stable `code` (API bodies, bot replies) and a `failureType`
 * from LEDGER_FAILURES, the ApplicationFailure type the activities raise (a flow that moves money lists
 * LEDGER_REFUSALS as non-retryable). `details` is JSON-safe (amounts as decimal strings); the typed
 * fields carry bigints.
 */
abstract class LedgerError extends RefusalError {}

export class InsufficientFundsError extends LedgerError {
  constructor(
    readonly account: AccountRef,
    readonly asset: AssetCode,
    readonly balance: bigint,
    readonly held: bigint,
    readonly requested: bigint,
  ) {
    const available = balance - held;
    super(
      'insufficient_funds',
      LEDGER_FAILURES.insufficientFunds,
      `Insufficient funds: ${describeAccount(account)} has ${available} ${asset} available` +
        `${held > 0n ? ` (${balance} minus ${held} held)` : ''}, and ${requested} is needed.`,
      409,
      { account, asset, balance: String(balance), held: String(held), available: String(available), requested: String(requested) },
    );
  }

  get available(): bigint {
    return this.balance - this.held;
  }
}

export class IdempotencyConflictError extends LedgerError {
  constructor(
    readonly key: string,
    readonly entryId: bigint,
  ) {
    super(
      'idempotency_conflict',
      LEDGER_FAILURES.idempotencyConflict,
      `The idempotency key "${key}" was already used for a different movement (entry ${entryId}); nothing was changed.`,
      409,
      { key, entryId: String(entryId) },
    );
  }
}

export class UnknownAssetError extends LedgerError {
  constructor(
    readonly guildId: string,
    readonly asset: string,
  ) {
    super('unknown_asset', LEDGER_FAILURES.unknownAsset, `Guild ${guildId} has no asset "${asset}".`, 404, { guildId, asset });
  }
}

/** Posting a voided hold, voiding a posted one, or posting one again for another amount. */
export class HoldNotPendingError extends LedgerError {
  constructor(
    readonly key: string,
    readonly holdStatus: EntryStatus,
    message: string,
  ) {
    super('hold_not_pending', LEDGER_FAILURES.holdNotPending, message, 409, { key, status: holdStatus });
  }
}

/** postHold / voidHold of a key that is not there, or not a hold. */
export class EntryNotFoundError extends LedgerError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super('entry_not_found', LEDGER_FAILURES.entryNotFound, message, 404, { key });
  }
}

function describeAccount(account: AccountRef): string {
  return account.ownerType === 'user' ? `user ${account.ownerId}` : `the ${account.ownerId} account`;
}

interface PgError {
  code?: string;
  detail?: string;
  message: string;
  constraint?: string;
}

function isPgError(err: unknown): err is PgError & Error {
  return err instanceof Error && typeof (err as PgError).code === 'string';
}

function detailOf(err: PgError): Record<string, string | undefined> {
  try {
    return err.detail ? (JSON.parse(err.detail) as Record<string, string | undefined>) : {};
  } catch {
    return {};
  }
}

/**
 * Turns an error from the ledger's SQL functions (SQLSTATE class GL, see the ledger migration) or a
 * violated ledger constraint into the typed error; anything else is returned unchanged (infrastructure:
 * worth a retry).
 */
export function fromDatabaseError(err: unknown): unknown {
  if (!isPgError(err)) return err;
  const d = detailOf(err);
  switch (err.code) {
    case 'GL001':
      return new InsufficientFundsError(
        { ownerType: d.ownerType === 'system' ? 'system' : 'user', ownerId: d.ownerId ?? '?' } as AccountRef,
        d.asset ?? '?',
        BigInt(d.balance ?? '0'),
        BigInt(d.held ?? '0'),
        BigInt(d.requested ?? '0'),
      );
    case 'GL002':
      return new IdempotencyConflictError(d.key ?? '?', BigInt(d.entryId ?? '0'));
    case 'GL003':
      return new UnknownAssetError(d.guildId ?? '?', d.asset ?? '?');
    case 'GL004':
      return new HoldNotPendingError(d.key ?? '?', (d.status ?? 'posted') as EntryStatus, `${err.message}.`);
    case 'GL005':
      return new EntryNotFoundError(d.key ?? '?', `${err.message}.`);
    case 'GL006':
      return new ValidationError(`${err.message}.`);
    case '23503': // foreign key: the guild row is missing
      if (err.constraint?.endsWith('_guild_id_fkey')) return new NotFoundError('This guild is not known to Guildflow (invite the bot first).');
      return err;
    case '23514': // a CHECK the TypeScript validation should have caught first
      if (err.constraint?.startsWith('ledger_')) return new ValidationError(`The ledger refused the values (${err.constraint}).`);
      return err;
    default:
      return err;
  }
}
