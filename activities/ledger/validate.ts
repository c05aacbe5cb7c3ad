import { isStatementError } from '../../prisma/client';
import type { SqlPool } from '../../prisma/transactions';
import { checkGuildId } from './codec';
import type { AccountRef, AssetCode } from './types';

/**
 * What `validate()` checks — the ledger's invariants — and what it found. Every list is empty and
 * `ok` true on a healthy ledger. Amounts are bigints; `toJsonSafe` (codec.ts) makes the report JSON.
 */
export interface ValidationReport {
  ok: boolean;
  /** The guild checked, or null for the whole ledger. */
  guildId: string | null;
  checkedAt: Date;
  /** Per asset: the sum of all its accounts' balances and of all its postings. Both must be 0. */
  assets: { guildId: string; asset: AssetCode; accounts: number; sumOfBalances: bigint; sumOfPostings: bigint; ok: boolean }[];
  /** User accounts with a negative balance, negative held or held beyond the balance. */
  negativeUserAccounts: AccountProblem[];
  /** Accounts whose balance is not the sum of their postings, or whose held is not the sum of their pending holds. */
  balanceMismatches: (AccountProblem & { postingsSum: bigint; pendingHolds: bigint })[];
  /** Idempotency keys applied more than once (live and archived entries together). */
  duplicateKeys: { key: string; entries: number }[];
  /** Entries whose postings do not sum to zero in some asset. */
  unbalancedEntries: { entryId: bigint; key: string; guildId: string; asset: AssetCode; sum: bigint }[];
  /** Entries whose status, hold and postings disagree (see the checks below). */
  inconsistentEntries: { entryId: bigint; key: string; guildId: string; problem: string }[];
  /**
   * Archive checkpoints (archive.ts) whose posting on an account differs from the net of the archived
   * entries they carry there (`key` null: archived entries name a checkpoint that is nowhere).
   */
  checkpointMismatches: { checkpointEntryId: bigint; key: string | null; guildId: string; accountId: bigint; carried: bigint; archivedNet: bigint }[];
}

export interface AccountProblem {
  accountId: bigint;
  guildId: string;
  account: AccountRef;
  asset: AssetCode;
  balance: bigint;
  held: bigint;
}

type Db = Pick<SqlPool, 'connect'>;

// Each query takes the guild as $1 (NULL: all guilds).
const ASSETS = `
  SELECT s.guild_id, s.code,
         (SELECT count(*) FROM ledger_accounts a WHERE a.asset_id = s.id)::int AS accounts,
         (SELECT coalesce(sum(a.balance), 0) FROM ledger_accounts a WHERE a.asset_id = s.id)::text AS sum_balances,
         (SELECT coalesce(sum(p.amount), 0) FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
           WHERE a.asset_id = s.id)::text AS sum_postings
    FROM ledger_assets s
   WHERE $1::text IS NULL OR s.guild_id = $1
   ORDER BY s.guild_id, s.id`;

const ACCOUNT_COLUMNS = `a.id::text AS id, a.guild_id, a.owner_type, a.owner_id, s.code, a.balance::text AS balance, a.held::text AS held`;

const NEGATIVE_USERS = `
  SELECT ${ACCOUNT_COLUMNS}
    FROM ledger_accounts a JOIN ledger_assets s ON s.id = a.asset_id
   WHERE ($1::text IS NULL OR a.guild_id = $1)
     AND a.owner_type = 'user' AND (a.balance < 0 OR a.held < 0 OR a.balance - a.held < 0)
   ORDER BY a.id`;

const MISMATCHES = `
  SELECT ${ACCOUNT_COLUMNS}, coalesce(p.total, 0)::text AS postings_sum, coalesce(h.total, 0)::text AS pending_holds
    FROM ledger_accounts a
    JOIN ledger_assets s ON s.id = a.asset_id
    LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger_postings GROUP BY account_id) p ON p.account_id = a.id
    LEFT JOIN (SELECT h.debit_account_id, sum(h.amount) AS total
                 FROM ledger_holds h JOIN ledger_entries e ON e.id = h.entry_id
                WHERE e.status = 'pending' GROUP BY h.debit_account_id) h ON h.debit_account_id = a.id
   WHERE ($1::text IS NULL OR a.guild_id = $1)
     AND (a.balance <> coalesce(p.total, 0) OR a.held <> coalesce(h.total, 0))
   ORDER BY a.id`;

// A key counts once among live and archived entries (archive.ts) together.
const DUPLICATE_KEYS = `
  SELECT k.key, count(*)::int AS entries
    FROM (SELECT idempotency_key AS key FROM ledger_entries WHERE $1::text IS NULL OR guild_id = $1
          UNION ALL
          SELECT idempotency_key FROM ledger_archived_entries WHERE $1::text IS NULL OR guild_id = $1) k
   GROUP BY k.key HAVING count(*) > 1
   ORDER BY k.key`;

const UNBALANCED = `
  SELECT e.id::text AS id, e.idempotency_key AS key, e.guild_id, s.code, sum(p.amount)::text AS total
    FROM ledger_postings p
    JOIN ledger_entries e ON e.id = p.entry_id
    JOIN ledger_accounts a ON a.id = p.account_id
    JOIN ledger_assets s ON s.id = a.asset_id
   WHERE $1::text IS NULL OR e.guild_id = $1
   GROUP BY e.id, s.code HAVING sum(p.amount) <> 0
   ORDER BY e.id`;

const INCONSISTENT = `
  WITH e AS (
    SELECT e.id, e.idempotency_key, e.guild_id, e.type, e.status, h.entry_id IS NOT NULL AS is_hold, h.amount AS hold_amount,
           h.posted_amount, h.debit_account_id, h.credit_account_id,
           (SELECT count(*) FROM ledger_postings p WHERE p.entry_id = e.id) AS postings,
           (SELECT count(*) FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
             WHERE p.entry_id = e.id AND a.guild_id <> e.guild_id) AS foreign_postings,
           (SELECT count(*) FROM ledger_postings p WHERE p.entry_id = e.id
               AND NOT ((p.account_id = h.debit_account_id AND p.amount = -h.posted_amount)
                     OR (p.account_id = h.credit_account_id AND p.amount = h.posted_amount))) AS off_hold_postings
      FROM ledger_entries e LEFT JOIN ledger_holds h ON h.entry_id = e.id
     WHERE $1::text IS NULL OR e.guild_id = $1)
  SELECT id::text AS id, idempotency_key AS key, guild_id, problem FROM (
    SELECT e.*, CASE
      WHEN NOT EXISTS (SELECT 1 FROM guilds g WHERE g.id = e.guild_id) THEN 'belongs to a guild that does not exist'
      WHEN foreign_postings > 0 THEN 'has postings on another guild''s accounts'
      WHEN status <> 'posted' AND postings > 0 THEN status || ' entry has postings'
      WHEN status <> 'posted' AND NOT is_hold THEN status || ' entry is not a hold'
      -- A checkpoint whose archived entries net to zero on every account carries no posting (archive.ts).
      WHEN status = 'posted' AND NOT is_hold AND postings < 2 AND NOT (type = 'checkpoint' AND postings = 0)
        THEN 'posted entry has fewer than two postings'
      WHEN is_hold AND status = 'posted' AND posted_amount IS NULL THEN 'posted hold has no posted amount'
      WHEN is_hold AND status <> 'posted' AND posted_amount IS NOT NULL THEN status || ' hold has a posted amount'
      WHEN is_hold AND status = 'posted' AND (postings <> 2 OR off_hold_postings > 0) THEN 'posted hold''s postings do not move its posted amount from debit to credit'
    END AS problem FROM e) x
   WHERE problem IS NOT NULL
   ORDER BY id`;

// A checkpoint's postings (live, or as archived when a later run archived the checkpoint itself) must
// equal, per account, the sum of the archived postings of the entries it carries.
const CHECKPOINTS = `
  WITH cp AS (
    SELECT e.id, e.idempotency_key AS key, e.guild_id FROM ledger_entries e
     WHERE e.type = 'checkpoint' AND ($1::text IS NULL OR e.guild_id = $1)
    UNION ALL
    SELECT a.id, a.idempotency_key, a.guild_id FROM ledger_archived_entries a
     WHERE a.type = 'checkpoint' AND ($1::text IS NULL OR a.guild_id = $1)),
  archived AS (
    SELECT a.guild_id, a.type, a.id, a.checkpoint_entry_id, (x.value ->> 'accountId')::bigint AS account_id, (x.value ->> 'amount')::bigint AS amount
      FROM ledger_archived_entries a CROSS JOIN jsonb_array_elements(a.postings) AS x
     WHERE ($1::text IS NULL OR a.guild_id = $1) AND x.value ? 'amount'),
  t AS (
    SELECT p.entry_id AS cp_id, e.guild_id, p.account_id, p.amount AS carried, 0::bigint AS net
      FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id
     WHERE e.type = 'checkpoint' AND ($1::text IS NULL OR e.guild_id = $1)
    UNION ALL
    SELECT id, guild_id, account_id, amount, 0 FROM archived WHERE type = 'checkpoint'
    UNION ALL
    SELECT checkpoint_entry_id, guild_id, account_id, 0, amount FROM archived)
  SELECT t.cp_id::text AS id, cp.key, t.guild_id, t.account_id::text AS account_id, sum(t.carried)::text AS carried, sum(t.net)::text AS net
    FROM t LEFT JOIN cp ON cp.id = t.cp_id
   GROUP BY t.cp_id, cp.key, t.guild_id, t.account_id
  HAVING sum(t.carried) <> sum(t.net) OR cp.key IS NULL
   ORDER BY t.cp_id, t.account_id`;

interface AccountRow {
  id: string;
  guild_id: string;
  owner_type: 'user' | 'system';
  owner_id: string;
  code: string;
  balance: string;
  held: string;
}

const accountProblem = (r: AccountRow): AccountProblem => ({
  accountId: BigInt(r.id),
  guildId: r.guild_id,
  account: { ownerType: r.owner_type, ownerId: r.owner_id } as AccountRef,
  asset: r.code,
  balance: BigInt(r.balance),
  held: BigInt(r.held),
});

/**
 * Runs every check in one REPEATABLE READ, READ ONLY transaction, so movements committed meanwhile
 * cannot make a healthy ledger look broken. Cost grows with the journal (it reads all of it).
 */
export async function validateLedger(db: Db, guildId?: string): Promise<ValidationReport> {
  if (guildId !== undefined) checkGuildId(guildId);
  const g = [guildId ?? null];
  const client = await db.connect();
  let failure: unknown;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const checkedAt = new Date();
    const assets = await client.query<{ guild_id: string; code: string; accounts: number; sum_balances: string; sum_postings: string }>(ASSETS, g);
    const negative = await client.query<AccountRow>(NEGATIVE_USERS, g);
    const mismatches = await client.query<AccountRow & { postings_sum: string; pending_holds: string }>(MISMATCHES, g);
    const duplicates = await client.query<{ key: string; entries: number }>(DUPLICATE_KEYS, g);
    const unbalanced = await client.query<{ id: string; key: string; guild_id: string; code: string; total: string }>(UNBALANCED, g);
    const inconsistent = await client.query<{ id: string; key: string; guild_id: string; problem: string }>(INCONSISTENT, g);
    const checkpoints = await client.query<{ id: string; key: string | null; guild_id: string; account_id: string; carried: string; net: string }>(CHECKPOINTS, g);
    await client.query('COMMIT');

    const report: Omit<ValidationReport, 'ok'> = {
      guildId: guildId ?? null,
      checkedAt,
      assets: assets.rows.map((r) => ({
        guildId: r.guild_id,
        asset: r.code,
        accounts: r.accounts,
        sumOfBalances: BigInt(r.sum_balances),
        sumOfPostings: BigInt(r.sum_postings),
        ok: r.sum_balances === '0' && r.sum_postings === '0',
      })),
      negativeUserAccounts: negative.rows.map(accountProblem),
      balanceMismatches: mismatches.rows.map((r) => ({ ...accountProblem(r), postingsSum: BigInt(r.postings_sum), pendingHolds: BigInt(r.pending_holds) })),
      duplicateKeys: duplicates.rows,
      unbalancedEntries: unbalanced.rows.map((r) => ({ entryId: BigInt(r.id), key: r.key, guildId: r.guild_id, asset: r.code, sum: BigInt(r.total) })),
      inconsistentEntries: inconsistent.rows.map((r) => ({ entryId: BigInt(r.id), key: r.key, guildId: r.guild_id, problem: r.problem })),
      checkpointMismatches: checkpoints.rows.map((r) => ({
        checkpointEntryId: BigInt(r.id),
        key: r.key,
        guildId: r.guild_id,
        accountId: BigInt(r.account_id),
        carried: BigInt(r.carried),
        archivedNet: BigInt(r.net),
      })),
    };
    const ok =
      report.assets.every((a) => a.ok) &&
      report.negativeUserAccounts.length === 0 &&
      report.balanceMismatches.length === 0 &&
      report.duplicateKeys.length === 0 &&
      report.unbalancedEntries.length === 0 &&
      report.inconsistentEntries.length === 0 &&
      report.checkpointMismatches.length === 0;
    return { ok, ...report };
  } catch (err) {
    failure = err;
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    // A refused statement leaves the connection usable; a broken connection must not go back to the pool.
    client.release(failure === undefined || isStatementError(failure) ? undefined : (failure as Error));
  }
}
