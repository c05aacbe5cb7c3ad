/** The ledger's refusals (activities/ledger/errors.ts raises them), for the failure list of a flow that moves money. */
export const LEDGER_FAILURES = {
  insufficientFunds: 'InsufficientFunds',
  idempotencyConflict: 'IdempotencyConflict',
  unknownAsset: 'UnknownAsset',
  holdNotPending: 'HoldNotPending',
  entryNotFound: 'EntryNotFound',
} as const;

export const LEDGER_REFUSALS: readonly string[] = Object.values(LEDGER_FAILURES);
