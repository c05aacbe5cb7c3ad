import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';
import { toJsonSafe, type JsonSafe } from './codec';
import { LedgerError } from './errors';
import type { SqlPool } from '../../prisma/transactions';
import { createLedger } from './ledger';
import type { AccountRef, AssetCode, Balance, EntryRefs, MovementMeta, MovementResult, RecordInput, TransferInput } from './types';

/**
 * The ledger as Temporal activities. Amounts cross the workflow boundary as decimal strings of minor
 * units ("250"): bigint does not survive JSON. Every activity is idempotent by its `key` (derive it from
 * the workflow id and the step, e.g. `${workflowId}:hold`), so Temporal's retries are safe.
 *
 * Business refusals are non-retryable ApplicationFailures whose `type` is 'InsufficientFunds',
 * 'IdempotencyConflict', 'UnknownAsset', 'HoldNotPending', 'EntryNotFound', 'InvalidInput' or 'NotFound'
 * (their `details[0]` is the error's JSON-safe details); anything else (database down) is thrown as is
 * and retried by the activity's retry policy.
 */

/** Integer minor units as a decimal string, e.g. "250" or "-5". */
export type Amount = string;

export type TransferActivityInput = Omit<TransferInput, 'amount'> & { amount: Amount };
export type RecordActivityInput = Omit<RecordInput, 'postings'> & { postings: { account: AccountRef; asset: AssetCode; amount: Amount }[] };
export interface PostHoldActivityInput {
  key: string;
  /** Default: the whole hold. */
  amount?: Amount;
}
/** A movement's result with amounts as strings and times as ISO strings. */
export type MovementReceipt = JsonSafe<MovementResult>;

export function createLedgerActivities({ prisma, pool, log }: { prisma: PrismaClient; pool?: SqlPool; log: Logger }) {
  const ledger = createLedger(pool ?? prisma);
  const alog = log.child({ component: 'ledger' });

  async function run<T>(name: string, meta: Record<string, unknown>, fn: () => Promise<T>): Promise<JsonSafe<T>> {
    try {
      const result = await fn();
      alog.debug({ activity: name, ...meta }, 'ledger activity done');
      return toJsonSafe(result);
    } catch (err) {
      throw toFailure(err, name, meta);
    }
  }

  function toFailure(err: unknown, name: string, meta: Record<string, unknown>): unknown {
    let type: string | undefined;
    if (err instanceof LedgerError) type = err.failureType;
    else if (err instanceof ValidationError) type = 'InvalidInput';
    else if (err instanceof NotFoundError) type = 'NotFound';
    if (!type) return err; // infrastructure: let Temporal retry
    alog.info({ activity: name, ...meta, code: (err as LedgerError).code }, (err as Error).message);
    return ApplicationFailure.nonRetryable((err as Error).message, type, (err as LedgerError).details ?? null);
  }

  /** The calling workflow's id, kept with the entry unless the caller set refs.workflowId itself. */
  function withWorkflow<T extends MovementMeta>(input: T): T {
    const workflowId = asyncLocalStorage.getStore()?.info.workflowExecution?.workflowId;
    if (!workflowId || input.refs?.workflowId !== undefined) return input;
    return { ...input, refs: { workflowId, ...input.refs } satisfies EntryRefs };
  }

  return {
    /** Any balanced movement (see Ledger.record). */
    async ledgerRecord(input: RecordActivityInput): Promise<MovementReceipt> {
      return run('ledgerRecord', { guildId: input.guildId, key: input.key }, () =>
        ledger.record(withWorkflow({ ...input, postings: input.postings.map((p) => ({ ...p, amount: parseAmount(p.amount) })) })),
      );
    },
    /** `amount` of `asset` from `from` to `to`. */
    async ledgerTransfer(input: TransferActivityInput): Promise<MovementReceipt> {
      return run('ledgerTransfer', { guildId: input.guildId, key: input.key }, () =>
        ledger.transfer(withWorkflow({ ...input, amount: parseAmount(input.amount) })),
      );
    },
    /** Reserves `amount` on `from` for a later ledgerPostHold / ledgerVoidHold with the same key. */
    async ledgerHold(input: TransferActivityInput): Promise<MovementReceipt> {
      return run('ledgerHold', { guildId: input.guildId, key: input.key }, () => ledger.hold(withWorkflow({ ...input, amount: parseAmount(input.amount) })));
    },
    /** Moves the hold (all, or `amount` with the rest released). */
    async ledgerPostHold(input: PostHoldActivityInput): Promise<MovementReceipt> {
      return run('ledgerPostHold', { key: input.key }, () =>
        ledger.postHold({ key: input.key, amount: input.amount === undefined ? undefined : parseAmount(input.amount) }),
      );
    },
    /** Releases the hold (a compensation: idempotent, refused only if it was already posted). */
    async ledgerVoidHold(input: { key: string }): Promise<MovementReceipt> {
      return run('ledgerVoidHold', { key: input.key }, () => ledger.voidHold({ key: input.key }));
    },
    async ledgerBalance(input: { guildId: string; account: AccountRef; asset: AssetCode }): Promise<JsonSafe<Balance>> {
      return run('ledgerBalance', { guildId: input.guildId }, () => ledger.balance(input.guildId, input.account, input.asset));
    },
  };
}

function parseAmount(amount: Amount): bigint {
  if (typeof amount !== 'string' || !/^-?[0-9]{1,19}$/.test(amount)) {
    throw new ValidationError(`An amount must be a decimal string of integer minor units (e.g. "250"), not ${JSON.stringify(amount)}.`);
  }
  return BigInt(amount);
}
