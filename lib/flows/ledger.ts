/** The ledger's refusals (activities/ledger/errors.ts raises them), for the failure list of a flow that moves money. */
export const LEDGER_FAILURES = {
  insufficientFunds: 'InsufficientFunds',
  idempotencyConflict: 'IdempotencyConflict',
  unknownAsset: 'UnknownAsset',
  holdNotPending: 'HoldNotPending',
  entryNotFound: 'EntryNotFound',
} as const;

export const LEDGER_REFUSALS: readonly string[] = Object.values(LEDGER_FAILURES);

/**
 * The key of the entry that takes back a posted hold (the ledger's undoHold): the hold's key and
 * ':reversal'. The consistency report (activities/ledger/consistency.ts) looks for a hold's reversal there.
 */
export const holdReversalKey = (holdKey: string): string => `${holdKey}:reversal`;

/**
 * What undoing a hold found and did: a pending hold 'voided'; one voided before ('already_voided'); no
 * hold ever ('never_held': a hold placed later under the key is refused); a posted one 'reversed' (a
 * reversal entry moved the posted amount back).
 */
export type UndoHoldOutcome = 'voided' | 'already_voided' | 'never_held' | 'reversed';
