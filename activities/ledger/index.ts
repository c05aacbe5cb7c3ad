/**
 * The double-entry ledger: `createLedger(prisma)` for the bot and the API (bigint amounts),
 * `createLedgerActivities(deps)` for workflows (string amounts). The movement itself is SQL: the
 * functions were created in prisma/migrations/*_ledger/migration.sql, and the current bodies of
 * ledger_record, ledger_post_hold and ledger_void_hold are the ones that replaced them in
 * prisma/migrations/*_ledger_archive/migration.sql (which made archived keys count). Undoing a hold
 * whatever became of it (ledger_undo_hold, its tombstones and the trigger refusing a tombstoned hold) is in
 * prisma/migrations/*_ledger_hold_tombstones/migration.sql.
 */
export * from './types';
export * from './errors';
export { createLedger, type Ledger } from './ledger';
export { toJsonSafe } from './codec';
export { createLedgerActivities } from './activities';
export { archiveEntries, archivedEntry } from './archive';
export { entriesCsv, ledgerStats, listAccounts } from './reports';
