import type { SqlPool } from '../../prisma/transactions';
import { liveVolume, postingsIn, toRows, type Row, type VolumeRow } from './live-volume';
import type { AssetCode } from './types';

/**
 * The stats' finished UTC hours, cached (ledger_hour_volume, ledger_hours_cached) for the part of a range
 * that is not whole finished days (day-volume.ts): today up to the current hour, and the partial first day
 * of a range. Summing today's ~11,000 entries live took 380–560 ms on every Overview load; with the hours
 * cached only the current hour (and a range's partial first hour) is summed live. Hours are cached as days
 * are, and for the same reason: a finished hour never changes.
 */

/** The volume per (hour, type, asset) of guild $1 over [$2, $3), every asset ($4 is null). */
const HOUR_VOLUME_SQL = `SELECT date_trunc('hour', m.posted_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, m.type, m.asset,
            count(DISTINCT m.id)::int AS entries, sum(m.amount) AS volume
       FROM (${postingsIn('$2', '$3')}) m
      GROUP BY 1, m.type, m.asset`;

/**
 * Stores the volume of the given hours (every asset) and marks them cached, in one statement: the rows and
 * the marks appear together, and a concurrent caller storing the same hours changes nothing.
 */
async function storeHours(pool: SqlPool, guildId: string, hours: Date[]): Promise<void> {
  await pool.query(
    `WITH v AS (
       INSERT INTO ledger_hour_volume (guild_id, hour, type, asset, entries, volume)
       SELECT $1, r.hour, r.type, r.asset, r.entries, r.volume FROM (${HOUR_VOLUME_SQL}) r WHERE r.hour = ANY($5::timestamptz[])
       ON CONFLICT DO NOTHING)
     INSERT INTO ledger_hours_cached (guild_id, hour) SELECT $1, h FROM unnest($5::timestamptz[]) h ON CONFLICT DO NOTHING`,
    [guildId, hours[0], new Date(hours[hours.length - 1]!.getTime() + 3_600_000), null, hours],
  );
}

/**
 * The volume over [since, until) with the finished hours [firstHour, endHour) from the cache (stored first
 * when missing) and the ends [since, firstHour) and [endHour, until) summed live, all in one statement so
 * that a day's parts add up there (in the database's sort order). Needs since ≤ firstHour ≤ endHour ≤ until,
 * the hours on hour boundaries.
 */
export async function hoursVolume(pool: SqlPool, guildId: string, since: Date, firstHour: Date, endHour: Date, until: Date, asset: AssetCode | null): Promise<VolumeRow[]> {
  if (!(firstHour < endHour)) return liveVolume(pool, guildId, since, until, asset);
  const { rows: missing } = await pool.query<{ hour: Date }>(
    `SELECT h AS hour FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 hour', interval '1 hour') h
      WHERE NOT EXISTS (SELECT 1 FROM ledger_hours_cached c WHERE c.guild_id = $1 AND c.hour = h)
      ORDER BY h`,
    [guildId, firstHour, endHour],
  );
  if (missing.length) await storeHours(pool, guildId, missing.map((r) => r.hour));
  const { rows } = await pool.query<Row>(
    `SELECT to_char(x.day, 'YYYY-MM-DD') AS day, x.type, x.asset, sum(x.entries)::int AS entries, sum(x.volume)::text AS volume FROM (
       SELECT (m.posted_at AT TIME ZONE 'UTC')::date AS day, m.type, m.asset, count(DISTINCT m.id) AS entries, sum(m.amount) AS volume
         FROM (${postingsIn('$2', '$3')} UNION ALL ${postingsIn('$5', '$6')}) m
        GROUP BY 1, m.type, m.asset
       UNION ALL
       SELECT (v.hour AT TIME ZONE 'UTC')::date, v.type, v.asset, v.entries, v.volume FROM ledger_hour_volume v
        WHERE v.guild_id = $1 AND v.hour >= $3 AND v.hour < $5 AND ($4::text IS NULL OR v.asset = $4)) x
     GROUP BY x.day, x.type, x.asset
     ORDER BY x.day, x.type, x.asset`,
    [guildId, since, firstHour, asset, endHour, until],
  );
  return toRows(rows);
}
