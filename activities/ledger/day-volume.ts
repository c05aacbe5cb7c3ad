import type { SqlPool } from '../../prisma/transactions';
import { hoursVolume } from './hour-volume';
import { toRows, VOLUME_SQL, type Row, type VolumeRow } from './live-volume';
import type { AssetCode } from './types';

/**
 * The stats' volume per UTC day, type and asset, with finished days read from a cache (ledger_day_volume,
 * ledger_days_cached): summing a month of postings on every call took 1.3 s at 1,000,000 entries. A
 * finished day never changes: posted_at is set to now() by the SQL that posts (ledger_record,
 * ledger_post_hold), never to a past time, and archiving moves an entry with its posted_at.
 *
 * What is not whole finished days (a range's partial first day, today) comes from the hour cache
 * (hour-volume.ts), which leaves only the current hour and a range's partial first hour to the live sums.
 * Days stay computed from the postings, not rolled up from hours: a day is stored once, whereas rolling up
 * would need all its 24 hours cached first (hours are only stored for the ranges asked), and two caches
 * filled the same way are simpler to trust than one derived from the other.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * A day or hour is cached once it ended this long ago: posted_at is the posting transaction's start, so an
 * entry posted at 23:59:59 may commit a little after midnight.
 */
const SAFETY_MARGIN = 10 * 60_000;

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Stores the volume of the given days (every asset) and marks them cached, in one statement: the rows and
 * the marks appear together, and a concurrent caller storing the same days changes nothing.
 */
async function storeDays(pool: SqlPool, guildId: string, days: string[]): Promise<void> {
  const from = Date.parse(days[0]!);
  const to = Date.parse(days[days.length - 1]!) + DAY;
  await pool.query(
    `WITH v AS (
       INSERT INTO ledger_day_volume (guild_id, day, type, asset, entries, volume)
       SELECT $1, r.day::date, r.type, r.asset, r.entries, r.volume::numeric FROM (${VOLUME_SQL}) r
        WHERE r.day::date = ANY($5::date[])
       ON CONFLICT DO NOTHING)
     INSERT INTO ledger_days_cached (guild_id, day) SELECT $1, d FROM unnest($5::date[]) d ON CONFLICT DO NOTHING`,
    [guildId, new Date(from), new Date(to), null, days],
  );
}

/**
 * The volume over [since, until), equal to liveVolume's: the whole UTC days of the range that ended more
 * than SAFETY_MARGIN before `now` come from the day cache, the whole hours outside them that did from the
 * hour cache (each computed and stored first when missing); the rest (a partial first hour, the current
 * hour, an hour inside the margin, the future) is summed live.
 */
export async function rangeVolume(pool: SqlPool, guildId: string, since: Date, until: Date, asset: AssetCode | null, now = Date.now()): Promise<VolumeRow[]> {
  const finished = Math.min(until.getTime(), now - SAFETY_MARGIN);
  const [firstHour, endHour] = [new Date(Math.ceil(since.getTime() / HOUR) * HOUR), new Date(Math.floor(finished / HOUR) * HOUR)];
  const [firstDay, endDay] = [new Date(Math.ceil(since.getTime() / DAY) * DAY), new Date(Math.floor(finished / DAY) * DAY)];
  if (!(firstDay < endDay)) return hoursVolume(pool, guildId, since, firstHour, endHour < firstHour ? firstHour : endHour, until, asset);

  // Each part is whole days apart from the others (the head ends and the tail starts at midnight).
  const [head, days, tail] = await Promise.all([
    hoursVolume(pool, guildId, since, firstHour, firstDay, firstDay, asset),
    cachedVolume(pool, guildId, firstDay.getTime(), endDay.getTime(), asset),
    hoursVolume(pool, guildId, endDay, endDay, endHour, until, asset),
  ]);
  return [...head, ...days, ...tail];
}

/** The cached days [firstDay, endDay), storing the missing ones first. */
async function cachedVolume(pool: SqlPool, guildId: string, firstDay: number, endDay: number, asset: AssetCode | null): Promise<VolumeRow[]> {
  const { rows: missing } = await pool.query<{ day: string }>(
    `SELECT to_char(d, 'YYYY-MM-DD') AS day FROM generate_series($2::date, $3::date, interval '1 day') d
      WHERE NOT EXISTS (SELECT 1 FROM ledger_days_cached c WHERE c.guild_id = $1 AND c.day = d::date)
      ORDER BY d`,
    [guildId, dayText(firstDay), dayText(endDay - DAY)],
  );
  if (missing.length) await storeDays(pool, guildId, missing.map((r) => r.day));
  const { rows } = await pool.query<Row>(
    `SELECT to_char(v.day, 'YYYY-MM-DD') AS day, v.type, v.asset, v.entries, v.volume::text AS volume FROM ledger_day_volume v
      WHERE v.guild_id = $1 AND v.day >= $2::date AND v.day < $3::date AND ($4::text IS NULL OR v.asset = $4)
      ORDER BY v.day, v.type, v.asset`,
    [guildId, dayText(firstDay), dayText(endDay), asset],
  );
  return toRows(rows);
}
