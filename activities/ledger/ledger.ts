import type pg from 'pg';
import { ValidationError } from '../../lib/errors';
import { holdReversalKey } from '../../lib/flows/ledger';
import { isStatementError, type PrismaClient } from '../../prisma/client';
import { poolOf, type SqlPool } from '../../prisma/transactions';
import { DEFAULT_ASSETS, ensureGuildAssets, listAssets, updateAsset } from './assets';
import {
  checkAccount,
  checkActor,
  checkAmount,
  checkAsset,
  checkGuildId,
  checkKey,
  decodeEntry,
  decodeResult,
  decodeUndo,
  recordParams,
  type EntryJson,
  type UndoJson,
} from './codec';
import { fromDatabaseError, UnknownAssetError } from './errors';
import type {
  AccountRef,
  AccountSummary,
  Asset,
  AssetCode,
  Balance,
  EntriesQuery,
  HoldInput,
  LedgerEntry,
  MovementResult,
  Page,
  RecordInput,
  TransferInput,
  UndoHoldInput,
  UndoHoldResult,
} from './types';
import { validateLedger, type ValidationReport } from './validate';

/**
 * The double-entry ledger. Every movement is one call of a PL/pgSQL function (current bodies in the
 * *_ledger_archive migration) — one round trip and one transaction, accounts locked in a fixed order — so
 * concurrent callers need no locking of their own and never deadlock.
 *
 * Rules every movement follows:
 * - a user account never goes below zero, counting what pending holds reserve (`InsufficientFundsError`,
 *   nothing changed);
 * - the same `key` applied again returns the first result with `replayed: true` and changes nothing; the
 *   same key with other content (guild, type, accounts, assets, amounts) is an `IdempotencyConflictError`;
 * - accounts are created on first use; the guild's default assets ('currency', 'gems') too.
 * Errors are typed (errors.ts, each with a stable `code`); a database outage surfaces as the driver's error.
 */
export interface Ledger {
  /** A movement of any shape: postings per (account, asset) summing to zero per asset. */
  record(input: RecordInput): Promise<MovementResult>;
  /** `amount` of `asset` from one account to another (sugar over record). */
  transfer(input: TransferInput): Promise<MovementResult>;
  /**
   * Reserves `amount` on `from` (its `held` grows, `available` shrinks) for a later `postHold` to `to` or
   * `voidHold`; nothing moves yet. The entry is 'pending'. Same idempotency rules as record.
   */
  hold(input: HoldInput): Promise<MovementResult>;
  /**
   * Moves a pending hold: all of it, or `amount` (1 … held amount, e.g. what was delivered) with the rest
   * released. Again with the same (or no) amount: the first result, `replayed`. Refused
   * (`HoldNotPendingError`) for a voided hold or another amount; `EntryNotFoundError` for an unknown key.
   */
  postHold(input: { key: string; amount?: bigint }): Promise<MovementResult>;
  /**
   * Releases a pending hold; nothing moves. Again: `replayed`. Refused for a posted hold, and for a key
   * with no hold (`EntryNotFoundError`): for a caller that knows the hold exists. A compensation uses
   * undoHold.
   */
  voidHold(input: { key: string }): Promise<MovementResult>;
  /**
   * Undoes the hold under `key` whatever became of it — the compensation a saga registers before its hold
   * step: pending → 'voided'; voided before → 'already_voided'; posted (in full or in part) → 'reversed',
   * a posted 'reversal' entry under `reversalKey` moving the posted amount from the hold's `to` back to its
   * `from`; no hold at all → 'never_held', and a hold placed later under `key` is refused
   * (`HoldNotPendingError`, status 'voided'). Live and archived holds alike; idempotent, also when calls
   * overlap, and race-free against a concurrent placement of the same key (one lock per key). Refused
   * only when `key` is not a hold (`EntryNotFoundError`), or when the reversal would take a user below zero
   * (`InsufficientFundsError`, for a hold to a user who spent it; a system account may go negative).
   */
  undoHold(input: UndoHoldInput): Promise<UndoHoldResult>;
  /** The entry recorded under `key` (live or archived), or null. */
  entry(key: string): Promise<LedgerEntry | null>;
  /** An account's balance; zeros for an account never used. */
  balance(guildId: string, account: AccountRef, asset: AssetCode): Promise<Balance>;
  /** An owner's balance in each of the guild's assets (zeros included), in asset order. */
  balances(guildId: string, account: AccountRef): Promise<(Balance & { asset: Asset })[]>;
  /**
   * User accounts by balance, highest first (ties: oldest account first), and how many there are. A page
   * starts after the holder `after` (stable while balances change elsewhere in the list) or at `offset`.
   */
  leaderboard(q: { guildId: string; asset: AssetCode; limit?: number; offset?: number; after?: HolderKey }): Promise<{ items: AccountSummary[]; total: number }>;
  /** Entries newest first, filtered, with cursor pagination. */
  entries(q: EntriesQuery): Promise<Page<LedgerEntry>>;
  /** Checks the ledger's invariants (one guild or all) in one consistent snapshot; see validate.ts. */
  validate(guildId?: string): Promise<ValidationReport>;
  /** The guild's assets, creating the defaults it lacks (see assets.ts). */
  ensureGuildAssets(guildId: string, opts?: { currency?: { name?: string; emoji?: string } }): Promise<Asset[]>;
  assets(guildId: string): Promise<Asset[]>;
  updateAsset(guildId: string, code: AssetCode, change: { name?: string; emoji?: string }): Promise<Asset>;
}

// Named, so each connection parses and plans these once (the functions' own statements are cached by
// PL/pgSQL anyway).
const RECORD = { name: 'gf_ledger_record', text: 'SELECT ledger_record($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb) AS r' };
const POST_HOLD = { name: 'gf_ledger_post_hold', text: 'SELECT ledger_post_hold($1, $2) AS r' };
const VOID_HOLD = { name: 'gf_ledger_void_hold', text: 'SELECT ledger_void_hold($1) AS r' };
const UNDO_HOLD = { name: 'gf_ledger_undo_hold', text: 'SELECT ledger_undo_hold($1, $2, $3, $4, $5, $6::jsonb) AS r' };

/**
 * The pool, resolved on first use (building the worker's activities never needs the database), with a
 * `query` that keeps the connection when the server refuses a statement: a plain `pg.Pool#query` destroys
 * it on any error, and for the ledger, whose refusals (insufficient funds) are ordinary answers, that
 * meant a reconnect and re-planned functions after each one — ~40 ms instead of ~1 ms. (The pool of
 * createPrismaClient does this itself; this covers a plain pg.Pool too.)
 */
function keepingPool(db: PrismaClient | SqlPool): SqlPool {
  let resolved: SqlPool | undefined;
  const connect = () => (resolved ??= poolOf(db)).connect();
  return {
    connect,
    async query<R extends pg.QueryResultRow>(textOrConfig: string | pg.QueryConfig, values?: unknown[]) {
      const client = await connect();
      try {
        const result = await client.query<R>(textOrConfig, values);
        client.release();
        return result;
      } catch (err) {
        client.release(isStatementError(err) ? undefined : (err as Error));
        throw err;
      }
    },
  };
}

export function createLedger(db: PrismaClient | SqlPool): Ledger {
  const pool = keepingPool(db);
  return { ...ledgerOn(pool, false), validate: async (guildId) => validateLedger(pool, guildId) };
}

/** The ledger without `validate`, which needs a snapshot of its own and so a pool. */
export type TransactionLedger = Omit<Ledger, 'validate'>;

/**
 * The ledger on one connection inside the caller's transaction (a `pg.PoolClient` after `BEGIN`), so its
 * movements commit or roll back together with the caller's other writes — a daily claim's row, a
 * rate-limit hit. Each movement runs under a savepoint: a refusal (insufficient funds, a key conflict)
 * undoes that movement only and leaves the transaction usable, as a refused statement would outside one.
 * The caller owns the transaction and the connection (BEGIN, COMMIT/ROLLBACK, release).
 */
export function transactionLedger(client: Pick<pg.ClientBase, 'query'>): TransactionLedger {
  const query: SqlPool['query'] = (textOrConfig, values) => client.query(textOrConfig, values);
  return ledgerOn({ query }, true);
}

function ledgerOn(pool: Pick<SqlPool, 'query'>, inTransaction: boolean): TransactionLedger {
  async function call(statement: { name: string; text: string }, values: unknown[]): Promise<MovementResult> {
    return decodeResult(await run<EntryJson>(statement, values));
  }

  async function run<R>(statement: { name: string; text: string }, values: unknown[]): Promise<R> {
    if (inTransaction) await pool.query('SAVEPOINT gf_ledger_movement');
    try {
      const { rows } = await pool.query<{ r: R }>({ ...statement, values });
      if (inTransaction) await pool.query('RELEASE SAVEPOINT gf_ledger_movement');
      return rows[0]!.r;
    } catch (err) {
      // When even this fails the connection is broken and the caller's transaction fails on its next
      // statement; the movement's own error is the one worth reporting.
      if (inTransaction) await pool.query('ROLLBACK TO SAVEPOINT gf_ledger_movement').catch(() => undefined);
      throw fromDatabaseError(err);
    }
  }

  async function movement(input: RecordInput, hold: boolean): Promise<MovementResult> {
    const params = recordParams(input, hold);
    if (input.type === 'checkpoint') throw new ValidationError('Checkpoint entries are written by the archive only (archive.ts).');
    try {
      return await call(RECORD, params);
    } catch (err) {
      // The guild's default assets are created on first use; nothing was written before this refusal.
      if (err instanceof UnknownAssetError && DEFAULT_ASSETS.some((a) => a.code === err.asset)) {
        await ensureGuildAssets(pool, input.guildId);
        return call(RECORD, params);
      }
      throw err;
    }
  }

  function transferPostings(input: TransferInput, what: string): RecordInput {
    checkAccount(input.from, 'from account');
    checkAccount(input.to, 'to account');
    checkAmount(input.amount, `The ${what} amount`, { positive: true });
    if (input.from.ownerType === input.to.ownerType && input.from.ownerId === input.to.ownerId) {
      throw new ValidationError(`A ${what} needs two different accounts.`);
    }
    const { from, to, asset, amount, ...meta } = input;
    return {
      ...meta,
      postings: [
        { account: from, asset, amount: -amount },
        { account: to, asset, amount },
      ],
    };
  }

  const ledger: TransactionLedger = {
    record: async (input) => movement(input, false),
    transfer: async (input) => movement(transferPostings(input, 'transfer'), false),
    hold: async (input) => movement(transferPostings(input, 'hold'), true),

    async postHold({ key, amount }) {
      checkKey(key);
      if (amount !== undefined) checkAmount(amount, 'The amount to post', { positive: true });
      return call(POST_HOLD, [key, amount === undefined ? null : amount.toString()]);
    },

    async voidHold({ key }) {
      checkKey(key);
      return call(VOID_HOLD, [key]);
    },

    async undoHold({ key, reversalKey = holdReversalKey(key), reason, actor = COMPENSATION_ACTOR, refs }) {
      checkKey(key);
      checkKey(reversalKey);
      if (reversalKey === key) throw new ValidationError("The reversal needs a key of its own, not the hold's.");
      checkActor(actor);
      if (typeof reason !== 'string' || reason.length > 1000) throw new ValidationError('The reason must be a string of at most 1000 characters.');
      if (refs !== undefined && (refs === null || typeof refs !== 'object' || Array.isArray(refs))) {
        throw new ValidationError('refs must be an object of strings, numbers, booleans or nulls.');
      }
      return decodeUndo(await run<UndoJson>(UNDO_HOLD, [key, reversalKey, actor.type, actor.id, reason, JSON.stringify(refs ?? {})]));
    },

    async entry(key) {
      checkKey(key);
      // An archived key still counts (archive.ts): its entry as it was.
      const { rows } = await pool.query<{ r: EntryJson | null }>(
        `SELECT coalesce((SELECT ledger_entry_json(e.id, false) FROM ledger_entries e WHERE e.idempotency_key = $1),
                         ledger_archived_entry_json($1, false)) AS r`,
        [key],
      );
      return rows[0]?.r ? decodeEntry(rows[0].r) : null;
    },

    async balance(guildId, account, asset) {
      checkGuildId(guildId);
      checkAccount(account);
      checkAsset(asset);
      const { rows } = await pool.query<{ known: boolean; balance: string | null; held: string | null }>(
        `SELECT true AS known, a.balance::text AS balance, a.held::text AS held
           FROM ledger_assets s
           LEFT JOIN ledger_accounts a ON a.guild_id = s.guild_id AND a.asset_id = s.id AND a.owner_type = $3 AND a.owner_id = $4
          WHERE s.guild_id = $1 AND s.code = $2`,
        [guildId, asset, account.ownerType, account.ownerId],
      );
      const row = rows[0];
      if (!row && !DEFAULT_ASSETS.some((a) => a.code === asset)) throw new UnknownAssetError(guildId, asset);
      return toBalance(row?.balance ?? '0', row?.held ?? '0');
    },

    async balances(guildId, account) {
      checkGuildId(guildId);
      checkAccount(account);
      const assets = await listAssets(pool, guildId);
      const { rows } = await pool.query<{ asset_id: number; balance: string; held: string }>(
        `SELECT asset_id, balance::text AS balance, held::text AS held FROM ledger_accounts
          WHERE guild_id = $1 AND owner_type = $2 AND owner_id = $3`,
        [guildId, account.ownerType, account.ownerId],
      );
      return assets.map((asset) => {
        const row = rows.find((r) => r.asset_id === asset.id);
        return { asset, ...toBalance(row?.balance ?? '0', row?.held ?? '0') };
      });
    },

    async leaderboard({ guildId, asset, limit = 10, offset = 0, after }) {
      checkGuildId(guildId);
      checkAsset(asset);
      checkPage(limit, offset);
      const params: unknown[] = [guildId, asset, limit, after ? 0 : offset];
      // The rows ranked after `after` in (balance desc, id); count(*) OVER () then counts only those.
      const afterKey = after ? `AND (a.balance < $5 OR (a.balance = $5 AND a.id > $6))` : '';
      if (after) params.push(after.balance.toString(), after.accountId.toString());
      const { rows } = await pool.query<{ id: string; owner_id: string; balance: string; held: string; total: string }>(
        `SELECT a.id::text AS id, a.owner_id, a.balance::text AS balance, a.held::text AS held, count(*) OVER ()::text AS total
           FROM ledger_accounts a JOIN ledger_assets s ON s.id = a.asset_id
          WHERE a.guild_id = $1 AND s.code = $2 AND a.owner_type = 'user' AND a.balance > 0 ${afterKey}
          ORDER BY a.balance DESC, a.id
          LIMIT $3 OFFSET $4`,
        params,
      );
      return {
        items: rows.map((r) => ({ accountId: BigInt(r.id), account: { ownerType: 'user', ownerId: r.owner_id }, asset, ...toBalance(r.balance, r.held) })),
        total: rows[0] && !after ? Number(rows[0].total) : offset === 0 && !after ? 0 : await countHolders(guildId, asset),
      };
    },

    entries: async (q) => listEntries(pool, q),
    ensureGuildAssets: async (guildId, opts) => ensureGuildAssets(pool, guildId, opts),
    assets: async (guildId) => listAssets(pool, guildId),
    updateAsset: async (guildId, code, change) => updateAsset(pool, guildId, code, change),
  };

  async function countHolders(guildId: string, asset: AssetCode): Promise<number> {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ledger_accounts a JOIN ledger_assets s ON s.id = a.asset_id
        WHERE a.guild_id = $1 AND s.code = $2 AND a.owner_type = 'user' AND a.balance > 0`,
      [guildId, asset],
    );
    return Number(rows[0]?.n ?? 0);
  }

  return ledger;
}

/** Who undoes a hold when the caller does not say: Guildflow itself. */
const COMPENSATION_ACTOR = { type: 'system', id: 'compensation' } as const;

/** Where a page of the leaderboard starts: after this holder. */
export interface HolderKey {
  balance: bigint;
  accountId: bigint;
}

function toBalance(balance: string, held: string): Balance {
  const b = BigInt(balance);
  const h = BigInt(held);
  return { balance: b, held: h, available: b - h };
}

function checkPage(limit: number, offset: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ValidationError('limit must be an integer from 1 to 100.');
  if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset must be a non-negative integer.');
}

const asArray = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

/**
 * Entries newest first, filtered, one page after `q.cursor` (see EntriesQuery). `maxLimit` lets the CSV
 * export (reports.ts) read bigger pages than the API's 100.
 */
export async function listEntries(pool: Pick<SqlPool, 'query'>, q: EntriesQuery, maxLimit = 100): Promise<Page<LedgerEntry>> {
  checkGuildId(q.guildId);
  const limit = q.limit ?? 25;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw new ValidationError(`limit must be an integer from 1 to ${maxLimit}.`);
  const params: unknown[] = [q.guildId];
  const param = (v: unknown) => `$${params.push(v)}`;
  // Conditions on the entry `e` besides its guild and the cursor.
  const filters: string[] = [];

  let cursor: string | null = null;
  if (q.cursor != null) {
    if (!/^[0-9]{1,19}$/.test(q.cursor)) throw new ValidationError('Invalid cursor: pass the nextCursor of the previous page.');
    cursor = param(q.cursor);
  }
  const types = asArray(q.type);
  // Without an account, the types are walked one by one (below); with one, they filter its postings.
  if (types && (q.account || q.asset !== undefined)) filters.push(`e.type = ANY(${param(types)}::text[])`);
  const statuses = asArray(q.status);
  if (statuses) filters.push(`e.status = ANY(${param(statuses)}::text[])`);
  if (q.since) filters.push(`e.created_at >= ${param(q.since)}`);
  if (q.until) filters.push(`e.created_at < ${param(q.until)}`);
  if (q.asset !== undefined) checkAsset(q.asset);
  const take = param(limit + 1);
  const and = (conditions: string[]) => conditions.map((c) => ` AND ${c}`).join('');

  let sql: string;
  if (q.account || q.asset !== undefined) {
    // The accounts concerned, then the entries with a posting or a hold on one of them.
    const conditions = ['a.guild_id = $1'];
    const accountParams: unknown[] = [q.guildId];
    if (q.account) {
      checkAccount(q.account);
      accountParams.push(q.account.ownerType, q.account.ownerId);
      conditions.push('a.owner_type = $2', 'a.owner_id = $3');
    }
    if (q.asset !== undefined) {
      accountParams.push(q.asset);
      conditions.push(`a.asset_id = (SELECT id FROM ledger_assets WHERE guild_id = $1 AND code = $${accountParams.length})`);
    }
    const { rows } = await pool.query<{ id: string }>(`SELECT a.id::text AS id FROM ledger_accounts a WHERE ${conditions.join(' AND ')}`, accountParams);
    if (rows.length === 0) return { items: [], nextCursor: null };
    const ids = param(rows.map((r) => r.id));
    // Driven by the postings' (account_id, entry_id DESC) index: per account, its newest postings whose
    // entry passes the filters, at most a page of them; plus the accounts' holds (pending and voided
    // holds have no postings). The page is the newest of those: an entry on the page is among the
    // newest matches of some account, so the answer is the same as filtering every entry of the guild.
    const entryConditions = (idColumn: string) => ['e.guild_id = $1', ...(cursor ? [`${idColumn} < ${cursor}`] : []), ...filters];
    sql = `SELECT ledger_entry_json(c.id, false) AS r FROM (
             SELECT DISTINCT m.id FROM (
               SELECT p.entry_id AS id
                 FROM unnest(${ids}::bigint[]) AS acc(id)
                 CROSS JOIN LATERAL (
                   SELECT p.entry_id FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id
                    WHERE p.account_id = acc.id${and(entryConditions('p.entry_id'))}
                    ORDER BY p.entry_id DESC LIMIT ${take}) p
               UNION ALL
               (SELECT h.entry_id FROM ledger_holds h JOIN ledger_entries e ON e.id = h.entry_id
                 WHERE (h.debit_account_id = ANY(${ids}::bigint[]) OR h.credit_account_id = ANY(${ids}::bigint[]))${and(entryConditions('h.entry_id'))}
                 ORDER BY h.entry_id DESC LIMIT ${take})) m) c
           ORDER BY c.id DESC LIMIT ${take}`;
  } else if (types) {
    // Driven by the entries' (guild_id, type, id DESC) index: per type, its newest entries passing the
    // other filters, at most a page of them; the page is the newest of those (as for accounts above).
    sql = `SELECT ledger_entry_json(c.id, false) AS r FROM (
             SELECT m.id FROM unnest(${param([...new Set(types)])}::text[]) AS t(type)
             CROSS JOIN LATERAL (
               SELECT e.id FROM ledger_entries e
                WHERE e.guild_id = $1 AND e.type = t.type${and([...(cursor ? [`e.id < ${cursor}`] : []), ...filters])}
                ORDER BY e.id DESC LIMIT ${take}) m) c
           ORDER BY c.id DESC LIMIT ${take}`;
  } else {
    sql = `SELECT ledger_entry_json(e.id, false) AS r FROM ledger_entries e
            WHERE e.guild_id = $1${and([...(cursor ? [`e.id < ${cursor}`] : []), ...filters])}
            ORDER BY e.id DESC LIMIT ${take}`;
  }

  const { rows } = await pool.query<{ r: EntryJson }>(sql, params);
  const items = rows.slice(0, limit).map((row) => decodeEntry(row.r));
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.id) : null };
}
