import type { SqlPool } from '../../prisma/transactions';
import type { AssetCode, EntryType } from './types';

/** The stats' volume summed straight from the postings: the reference the day and hour caches must equal. */

export interface VolumeRow {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  type: EntryType;
  asset: AssetCode;
  /** Entries posted that day. */
  entries: number;
  /** What moved: the sum of the entries' credit postings. */
  volume: bigint;
}

/**
 * The credit postings of guild $1's entries posted in [since, until) (placeholders), asset $4 or all, one row
 * per posting (posted_at, type, asset, id, amount): live and archived entries, checkpoints aside.
 */
export const postingsIn = (since: string, until: string): string => `
       SELECT e.posted_at, e.type, s.code AS asset, e.id, p.amount
         FROM ledger_entries e
         JOIN ledger_postings p ON p.entry_id = e.id
         JOIN ledger_accounts a ON a.id = p.account_id
         JOIN ledger_assets s ON s.id = a.asset_id
        WHERE e.guild_id = $1 AND e.posted_at >= ${since} AND e.posted_at < ${until} AND e.type <> 'checkpoint' AND p.amount > 0
          AND ($4::text IS NULL OR s.code = $4)
       UNION ALL
       SELECT x.posted_at, x.type, p.value ->> 'asset', x.id, (p.value ->> 'amount')::bigint
         FROM ledger_archived_entries x CROSS JOIN jsonb_array_elements(x.postings) AS p
        WHERE x.guild_id = $1 AND x.posted_at >= ${since} AND x.posted_at < ${until} AND x.type <> 'checkpoint'
          AND p.value ? 'amount' AND (p.value ->> 'amount')::bigint > 0 AND ($4::text IS NULL OR p.value ->> 'asset' = $4)`;

/** The volume over [$2, $3) of guild $1, asset $4 or all, per UTC day, type and asset. */
export const VOLUME_SQL = `SELECT to_char(m.day, 'YYYY-MM-DD') AS day, m.type, m.asset, count(DISTINCT m.id)::int AS entries, sum(m.amount)::text AS volume
       FROM (SELECT (p.posted_at AT TIME ZONE 'UTC')::date AS day, p.type, p.asset, p.id, p.amount FROM (${postingsIn('$2', '$3')}) p) m
      GROUP BY m.day, m.type, m.asset
      ORDER BY m.day, m.type, m.asset`;

export type Row = { day: string; type: EntryType; asset: string; entries: number; volume: string };

export const toRows = (rows: Row[]): VolumeRow[] => rows.map((r) => ({ day: r.day, type: r.type, asset: r.asset, entries: r.entries, volume: BigInt(r.volume) }));

/** The volume summed from the postings themselves (no cache), ordered by day, type, asset. */
export async function liveVolume(pool: SqlPool, guildId: string, since: Date, until: Date, asset: AssetCode | null): Promise<VolumeRow[]> {
  if (!(since < until)) return [];
  return toRows((await pool.query<Row>(VOLUME_SQL, [guildId, since, until, asset])).rows);
}
