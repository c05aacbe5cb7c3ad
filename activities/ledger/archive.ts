import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../lib/errors';
import type { PrismaClient } from '../../prisma/client';
import { checkGuildId, checkKey, decodeEntry, type EntryJson } from './codec';
import { fromDatabaseError } from './errors';
import { poolOf, type SqlPool } from '../../prisma/transactions';
import type { Actor, LedgerEntry } from './types';

/**
 * Archiving: a guild's posted and voided entries older than N days leave the journal for
 * `ledger_archived_entries`, and one checkpoint entry per run (type 'checkpoint') takes over their
 * postings — per account, the net of what was archived — so every balance still equals the sum of its
 * live postings, every asset still sums to zero, and `validate()` stays clean. Pending holds stay.
 *
 * The work is `ledger_archive_batch` (migration *_ledger_archive): one transaction per batch, so a crash
 * loses at most the batch in flight (rolled back) and a rerun finishes the job — with the same `key` it
 * continues the same checkpoint, with another it starts one for what is left; nothing is archived twice.
 * Batches lock only the entries they move (in id order) and no account, so movements go on meanwhile.
 *
 * An archived key still counts: recording, posting or voiding it again replays the archived result (or
 * is refused as a conflict), exactly as for a live entry; `archivedEntry(key)` reads it.
 */
export interface ArchiveInput {
  guildId: string;
  /** Entries created more than this many days ago (0: everything posted or voided so far). */
  olderThanDays: number;
  /** The run's checkpoint key; pass the same one to resume a run. Default: a new key per call. */
  key?: string;
  /** Entries per transaction, 1–10000 (default 500). */
  batchSize?: number;
  /** Recorded as the checkpoint's actor (default: Guildflow's archive). */
  actor?: Actor;
  /** The time "now" (tests); default the clock. */
  now?: Date;
  /** Called after each committed batch (progress, tests). */
  onBatch?: (batch: { archived: number; checkpointEntryId: bigint | null }) => void | Promise<void>;
}

export interface ArchiveResult {
  guildId: string;
  /** Entries created before this time were archived. */
  before: Date;
  checkpointKey: string;
  /** The run's checkpoint entry; null when there was nothing to archive. */
  checkpointEntryId: bigint | null;
  archived: number;
  batches: number;
}

export interface ArchivedEntry {
  /** The entry as it was (its original id, key, postings and hold). */
  entry: LedgerEntry;
  archivedAt: Date;
  /** The checkpoint entry that carries its postings now. */
  checkpointEntryId: bigint;
}

const BATCH = { name: 'gf_ledger_archive_batch', text: 'SELECT ledger_archive_batch($1, $2, $3, $4, $5, $6) AS r' };
const MAX_DAYS = 36_500;

export async function archiveEntries(db: PrismaClient | SqlPool, input: ArchiveInput): Promise<ArchiveResult> {
  checkGuildId(input.guildId);
  const { olderThanDays, batchSize = 500 } = input;
  if (!Number.isInteger(olderThanDays) || olderThanDays < 0 || olderThanDays > MAX_DAYS) {
    throw new ValidationError(`olderThanDays must be an integer from 0 to ${MAX_DAYS}.`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new ValidationError('batchSize must be an integer from 1 to 10000.');
  const checkpointKey = input.key ?? `checkpoint:${input.guildId}:${randomUUID()}`;
  checkKey(checkpointKey);
  const actor = input.actor ?? { type: 'system', id: 'ledger-archive' };
  const before = new Date((input.now ?? new Date()).getTime() - olderThanDays * 86_400_000);
  const pool = poolOf(db);

  const result: ArchiveResult = { guildId: input.guildId, before, checkpointKey, checkpointEntryId: null, archived: 0, batches: 0 };
  for (;;) {
    let r: { archived: number; checkpointEntryId: string | null };
    try {
      const { rows } = await pool.query<{ r: typeof r }>({ ...BATCH, values: [input.guildId, before, checkpointKey, batchSize, actor.type, actor.id] });
      r = rows[0]!.r;
    } catch (err) {
      throw fromDatabaseError(err);
    }
    if (r.checkpointEntryId !== null) result.checkpointEntryId = BigInt(r.checkpointEntryId);
    if (r.archived === 0) break;
    result.archived += r.archived;
    result.batches += 1;
    await input.onBatch?.({ archived: r.archived, checkpointEntryId: result.checkpointEntryId });
    if (r.archived < batchSize) break;
  }
  return result;
}

/** The archived entry recorded under `key`, or null (never archived, or still live). */
export async function archivedEntry(db: PrismaClient | SqlPool, key: string): Promise<ArchivedEntry | null> {
  checkKey(key);
  const { rows } = await poolOf(db).query<{ r: EntryJson; archived_at: Date; checkpoint_entry_id: string }>(
    `SELECT ledger_archived_entry_json(a.idempotency_key, false) AS r, a.archived_at, a.checkpoint_entry_id::text AS checkpoint_entry_id
       FROM ledger_archived_entries a WHERE a.idempotency_key = $1`,
    [key],
  );
  const row = rows[0];
  return row ? { entry: decodeEntry(row.r), archivedAt: row.archived_at, checkpointEntryId: BigInt(row.checkpoint_entry_id) } : null;
}
