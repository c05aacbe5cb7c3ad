import { Readable } from 'node:stream';
import { ValidationError } from '../../lib/errors';
import type { PrismaClient } from '../../prisma/client';
import { listAssets } from './assets';
import { checkAsset, checkGuildId } from './codec';
import { poolOf, type SqlPool } from '../../prisma/transactions';
import { rangeVolume } from './day-volume';
import type { VolumeRow } from './live-volume';
import { listEntries } from './ledger';
import type { AccountRef, AccountSummary, AssetCode, EntriesQuery, EntryType, LedgerEntry } from './types';

/** Read-only views of a guild's ledger for the admin API: accounts, stats and the CSV export. */

type Db = PrismaClient | SqlPool;

export interface AccountsQuery {
  guildId: string;
  asset?: AssetCode;
  ownerType?: AccountRef['ownerType'];
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  /** 1–500, default 100. */
  limit?: number;
}

/** Every account of the guild (system accounts and zero balances included), oldest first, paged. */
export async function listAccounts(db: Db, q: AccountsQuery): Promise<{ items: (AccountSummary & { createdAt: Date })[]; nextCursor: string | null }> {
  checkGuildId(q.guildId);
  if (q.asset !== undefined) checkAsset(q.asset);
  const limit = q.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError('limit must be an integer from 1 to 500.');
  if (q.cursor != null && !/^[0-9]{1,19}$/.test(q.cursor)) throw new ValidationError('Invalid cursor: pass the nextCursor of the previous page.');
  const { rows } = await poolOf(db).query<{ id: string; owner_type: 'user' | 'system'; owner_id: string; code: string; balance: string; held: string; created_at: Date }>(
    `SELECT a.id::text AS id, a.owner_type, a.owner_id, s.code, a.balance::text AS balance, a.held::text AS held, a.created_at
       FROM ledger_accounts a JOIN ledger_assets s ON s.id = a.asset_id
      WHERE a.guild_id = $1 AND ($2::text IS NULL OR s.code = $2) AND ($3::text IS NULL OR a.owner_type = $3)
        AND ($4::bigint IS NULL OR a.id > $4)
      ORDER BY a.id LIMIT $5`,
    [q.guildId, q.asset ?? null, q.ownerType ?? null, q.cursor ?? null, limit + 1],
  );
  const items = rows.slice(0, limit).map((r) => {
    const balance = BigInt(r.balance);
    const held = BigInt(r.held);
    return {
      accountId: BigInt(r.id),
      account: { ownerType: r.owner_type, ownerId: r.owner_id } as AccountRef,
      asset: r.code,
      balance,
      held,
      available: balance - held,
      createdAt: r.created_at,
    };
  });
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.accountId) : null };
}

export interface StatsQuery {
  guildId: string;
  /** Posted at or after (default: 30 days before `until`). */
  since?: Date;
  /** Posted before (default: now). At most 366 days after `since`. */
  until?: Date;
  asset?: AssetCode;
  /** Top holders per asset, 1–100 (default 10). */
  top?: number;
}

export interface LedgerStats {
  guildId: string;
  since: Date;
  until: Date;
  /** Per UTC day, type and asset, by day then type then asset. Archived entries count; checkpoints do not. */
  volume: VolumeRow[];
  /** The same summed over the range, per type and asset. */
  totals: { type: EntryType; asset: AssetCode; entries: number; volume: bigint }[];
  /** Per asset: user accounts with the highest balances. */
  topHolders: { asset: AssetCode; holders: { userId: string; balance: bigint; held: bigint; available: bigint }[] }[];
}

const DAY = 86_400_000;

/**
 * Volume per type and day over a date range (by when entries were posted — pending and voided holds
 * moved nothing — live and archived alike; finished days and hours from their caches, day-volume.ts), and
 * the top holders of each asset.
 */
export async function ledgerStats(db: Db, q: StatsQuery): Promise<LedgerStats> {
  checkGuildId(q.guildId);
  if (q.asset !== undefined) checkAsset(q.asset);
  const top = q.top ?? 10;
  if (!Number.isInteger(top) || top < 1 || top > 100) throw new ValidationError('top must be an integer from 1 to 100.');
  const until = q.until ?? new Date();
  const since = q.since ?? new Date(until.getTime() - 30 * DAY);
  if (!(since < until)) throw new ValidationError('since must be before until.');
  if (until.getTime() - since.getTime() > 366 * DAY) throw new ValidationError('The range can span at most 366 days.');
  const pool = poolOf(db);

  const volume = await rangeVolume(pool, q.guildId, since, until, q.asset ?? null);
  const totals = new Map<string, { type: EntryType; asset: AssetCode; entries: number; volume: bigint }>();
  for (const r of volume) {
    const t = totals.get(`${r.type}/${r.asset}`) ?? { type: r.type, asset: r.asset, entries: 0, volume: 0n };
    t.entries += r.entries;
    t.volume += r.volume;
    totals.set(`${r.type}/${r.asset}`, t);
  }

  const assets = (await listAssets(pool, q.guildId)).filter((a) => q.asset === undefined || a.code === q.asset);
  const topHolders = [];
  for (const asset of assets) {
    const { rows: holders } = await pool.query<{ owner_id: string; balance: string; held: string }>(
      `SELECT a.owner_id, a.balance::text AS balance, a.held::text AS held FROM ledger_accounts a
        WHERE a.asset_id = $1 AND a.owner_type = 'user' AND a.balance > 0 ORDER BY a.balance DESC, a.id LIMIT $2`,
      [asset.id, top],
    );
    topHolders.push({
      asset: asset.code,
      holders: holders.map((h) => ({ userId: h.owner_id, balance: BigInt(h.balance), held: BigInt(h.held), available: BigInt(h.balance) - BigInt(h.held) })),
    });
  }
  return { guildId: q.guildId, since, until, volume, totals: [...totals.values()], topHolders };
}

// ─── CSV export ────────────────────────────────────────────────────────────────────────────────────────

const CSV_COLUMNS = [
  'id',
  'key',
  'type',
  'status',
  'created_at',
  'posted_at',
  'voided_at',
  'actor_type',
  'actor_id',
  'reason',
  'refs',
  'postings',
  'hold',
] as const;

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text someone else wrote (a /give note, an idempotency key a client chose): a leading formula
 * character gets a `'` before it, so a spreadsheet shows the text instead of running it
 * (`=HYPERLINK(…)` in a note must not become a link that leaks the sheet). Ids, times and the JSON
 * columns cannot start with one and stay exact.
 */
function csvText(value: string): string {
  return csvField(FORMULA_START.test(value) ? `'${value}` : value);
}

const accountText = (a: AccountRef) => `${a.ownerType}:${a.ownerId}`;

/**
 * One CSV line (CRLF-terminated) per entry. `postings` is JSON [{account, asset, amount, balanceAfter}],
 * `hold` JSON {from, to, asset, amount, postedAmount} or empty; accounts as `user:<id>` / `system:<name>`,
 * amounts as decimal strings, times ISO 8601 UTC; free text (key, actor id, reason) as csvText writes it.
 */
function entryCsvLine(e: LedgerEntry): string {
  const fields = [
    csvField(String(e.id)),
    csvText(e.key),
    csvField(e.type),
    csvField(e.status),
    csvField(e.createdAt.toISOString()),
    csvField(e.postedAt?.toISOString() ?? ''),
    csvField(e.voidedAt?.toISOString() ?? ''),
    csvField(e.actor.type),
    csvText(e.actor.id),
    csvText(e.reason ?? ''),
    csvField(JSON.stringify(e.refs)),
    csvField(JSON.stringify(e.postings.map((p) => ({ account: accountText(p.account), asset: p.asset, amount: String(p.amount), balanceAfter: String(p.balanceAfter) })))),
    csvField(
      e.hold
        ? JSON.stringify({
            from: accountText(e.hold.from),
            to: accountText(e.hold.to),
            asset: e.hold.asset,
            amount: String(e.hold.amount),
            postedAmount: e.hold.postedAmount === null ? null : String(e.hold.postedAmount),
          })
        : '',
    ),
  ];
  return fields.join(',') + '\r\n';
}

/** Rows per query of the export. */
const CSV_BATCH = 500;

/**
 * The entries matching `q` (newest first, every page) as a CSV stream with a header line. It reads one
 * batch of entries at a time, and the next only when the consumer has taken the previous (backpressure),
 * so memory stays bounded whatever the size of the journal. `onBatch` observes the reads (tests).
 */
export function entriesCsv(db: Db, q: Omit<EntriesQuery, 'cursor' | 'limit'>, opts: { batchSize?: number; onBatch?: (rows: number) => void } = {}): Readable {
  const pool = poolOf(db);
  const batchSize = opts.batchSize ?? CSV_BATCH;
  async function* lines(): AsyncGenerator<string> {
    yield CSV_COLUMNS.join(',') + '\r\n';
    let cursor: string | null = null;
    do {
      const page = await listEntries(pool, { ...q, cursor, limit: batchSize }, CSV_BATCH);
      opts.onBatch?.(page.items.length);
      if (page.items.length) yield page.items.map(entryCsvLine).join('');
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  return Readable.from(lines(), { objectMode: false, highWaterMark: 64 * 1024 });
}
