import { asyncLocalStorage } from '@temporalio/activity';
import { ValidationError } from '../../lib/errors';
import type { SqlPool } from '../../prisma/transactions';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { toJsonSafe, type JsonSafe } from './codec';
import { createLedger } from './ledger';
import type { AccountRef, AssetCode, Balance, EntryRefs, MovementMeta, MovementResult, RecordInput, TransferInput, UndoHoldInput, UndoHoldResult } from './types';

/**
 * The ledger as Temporal activities. Amounts cross the workflow boundary as decimal strings of minor
 * units ("250"): bigint does not survive JSON. Every activity is idempotent by its `key` (derive it from
 * the workflow id and the step, e.g. `${workflowId}:hold`), so Temporal's retries are safe.
 *
 * Business refusals (LedgerError) are non-retryable ApplicationFailures typed as in LEDGER_FAILURES, bad
 * input 'InvalidInput' or 'NotFound' (their `details[0]` is the error's JSON-safe details); anything else
 * (database down) is thrown as is and retried by the activity's retry policy (defineActivities).
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
/** See Ledger.undoHold: `reversalKey` defaults to `holdReversalKey(key)` (lib/flows/ledger.ts). */
export type UndoHoldActivityInput = UndoHoldInput;
/** undoHold's result, JSON-safe: switch on `outcome`. */
export type UndoHoldReceipt = JsonSafe<UndoHoldResult>;

/** The ledger needs no Discord: tests build it from a database and a logger alone. */
export function createLedgerActivities({ prisma, pool, log }: Pick<FeatureDeps, 'prisma' | 'log'> & { pool?: SqlPool }) {
  const ledger = createLedger(pool ?? prisma);

  /** The calling workflow's id, kept with the entry unless the caller set refs.workflowId itself. */
  function withWorkflow<T extends Pick<MovementMeta, 'refs'>>(input: T): T {
    const workflowId = asyncLocalStorage.getStore()?.info.workflowExecution?.workflowId;
    if (!workflowId || input.refs?.workflowId !== undefined) return input;
    return { ...input, refs: { workflowId, ...input.refs } satisfies EntryRefs };
  }

  return defineActivities(log, 'ledger', {
    /** Any balanced movement (see Ledger.record). */
    async ledgerRecord(input: RecordActivityInput): Promise<MovementReceipt> {
      return toJsonSafe(await ledger.record(withWorkflow({ ...input, postings: input.postings.map((p) => ({ ...p, amount: parseAmount(p.amount) })) })));
    },
    /** `amount` of `asset` from `from` to `to`. */
    async ledgerTransfer(input: TransferActivityInput): Promise<MovementReceipt> {
      return toJsonSafe(await ledger.transfer(withWorkflow({ ...input, amount: parseAmount(input.amount) })));
    },
    /** Reserves `amount` on `from` for a later ledgerPostHold / ledgerVoidHold with the same key. */
    async ledgerHold(input: TransferActivityInput): Promise<MovementReceipt> {
      return toJsonSafe(await ledger.hold(withWorkflow({ ...input, amount: parseAmount(input.amount) })));
    },
    /** Moves the hold (all, or `amount` with the rest released). */
    async ledgerPostHold(input: PostHoldActivityInput): Promise<MovementReceipt> {
      return toJsonSafe(await ledger.postHold({ key: input.key, amount: input.amount === undefined ? undefined : parseAmount(input.amount) }));
    },
    /** Releases the hold (a compensation: idempotent, refused only if it was already posted). */
    async ledgerVoidHold(input: { key: string }): Promise<MovementReceipt> {
      return toJsonSafe(await ledger.voidHold({ key: input.key }));
    },
    /**
     * Undoes the hold, whatever became of it (a compensation to register BEFORE the hold step): pending →
     * 'voided', voided → 'already_voided', posted → 'reversed' (a reversal entry under `reversalKey`), never
     * placed → 'never_held' (a later hold under the key is refused). Idempotent, also when attempts overlap.
     */
    async ledgerUndoHold(input: UndoHoldActivityInput): Promise<UndoHoldReceipt> {
      return toJsonSafe(await ledger.undoHold(withWorkflow(input)));
    },
    async ledgerBalance(input: { guildId: string; account: AccountRef; asset: AssetCode }): Promise<JsonSafe<Balance>> {
      return toJsonSafe(await ledger.balance(input.guildId, input.account, input.asset));
    },
  });
}

function parseAmount(amount: Amount): bigint {
  if (typeof amount !== 'string' || !/^-?[0-9]{1,19}$/.test(amount)) {
    throw new ValidationError(`An amount must be a decimal string of integer minor units (e.g. "250"), not ${JSON.stringify(amount)}.`);
  }
  return BigInt(amount);
}
