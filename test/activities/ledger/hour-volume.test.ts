import pg from 'pg';
import { archiveEntries, systemAccount, userAccount, type Ledger } from '../../../activities/ledger';
import { rangeVolume } from '../../../activities/ledger/day-volume';
import { liveVolume } from '../../../activities/ledger/live-volume';
import type { PrismaClient } from '../../../prisma/client';
import { poolOf } from '../../../prisma/transactions';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createGuild, fund, ledgerOn, snowflake, SYSTEM } from '../../helpers/ledger';

/**
 * The stats' hour cache: with `now` set to a past afternoon (day D, 14:30), every answer equals the volume
 * summed straight from the postings (liveVolume), whether its hours come from the cache, are stored by this
 * call or are summed live (the current hour, a partial first hour, an hour inside the safety margin).
 */

let db: TestDatabase;
let prisma: PrismaClient;
let ledger: Ledger;
let sql: pg.Pool;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Midnight UTC starting day D, three days before today. */
const D = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
const NOW = D + 14 * HOUR + 30 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();
/** The hours [from, to) as ISO strings. */
const hoursBetween = (from: number, to: number) => Array.from({ length: (to - from) / HOUR }, (_, i) => iso(from + i * HOUR));

beforeAll(async () => {
  db = await createTestDatabase();
  ({ prisma, ledger } = ledgerOn(db.url, 8));
  sql = new pg.Pool({ connectionString: db.url, max: 3 });
});
afterAll(async () => {
  await sql.end();
  await prisma.$disconnect();
  await db.drop();
});

/** Moves an entry (created, and posted or voided) to `at`, as if made then. */
async function postedAt(key: string, at: number): Promise<void> {
  const { rowCount } = await sql.query(
    `UPDATE ledger_entries SET created_at = $2::timestamptz, posted_at = CASE WHEN posted_at IS NULL THEN NULL ELSE $2::timestamptz END,
            voided_at = CASE WHEN voided_at IS NULL THEN NULL ELSE $2::timestamptz END WHERE idempotency_key = $1`,
    [key, new Date(at)],
  );
  expect(rowCount).toBe(1);
}

/**
 * A guild with entries in the hours of day D up to NOW (on hour edges too, two assets, a voided hold), one
 * after NOW, some late on the day before and some days earlier.
 */
async function seededGuild(): Promise<string> {
  const guild = await createGuild(prisma);
  const [alice, bob, carol] = [snowflake(), snowflake(), snowflake()];
  const k = (name: string) => `${name}:${guild}`;
  const at: [string, number][] = [];
  for (const [user, amount, when] of [
    [alice, 1000n, D - 3 * DAY + 5 * HOUR],
    [bob, 500n, D - HOUR + 30 * MINUTE],
    [carol, 70n, D],
  ] as const) {
    await fund(ledger, guild, user, amount, k(`daily/${user}`));
    at.push([k(`daily/${user}`), when]);
  }
  const gives: [bigint, number][] = [
    [1n, D - HOUR + 45 * MINUTE],
    [2n, D - 1], // the last millisecond of the day before
    [3n, D + 4 * HOUR - 1],
    [5n, D + 5 * HOUR + 20 * MINUTE],
    [7n, D + 5 * HOUR + 40 * MINUTE],
    [11n, D + 9 * HOUR],
    [13n, D + 14 * HOUR - 1], // the last millisecond of the last finished hour
    [17n, D + 14 * HOUR], // the current hour
    [19n, D + 14 * HOUR + 25 * MINUTE],
    [23n, NOW + MINUTE], // after NOW
  ];
  for (const [i, [amount, when]] of gives.entries()) {
    await ledger.transfer({ guildId: guild, key: k(`give/${i}`), type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount });
    at.push([k(`give/${i}`), when]);
  }
  await ledger.record({
    guildId: guild,
    key: k('gems/1'),
    type: 'reward',
    actor: SYSTEM,
    postings: [
      { account: systemAccount('issuance'), asset: 'gems', amount: -9n },
      { account: userAccount(carol), asset: 'gems', amount: 9n },
    ],
  });
  at.push([k('gems/1'), D + 5 * HOUR + 30 * MINUTE]);
  await ledger.hold({ guildId: guild, key: k('hold/voided'), type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(bob), to: systemAccount('sink'), amount: 5n });
  await ledger.voidHold({ key: k('hold/voided') });
  at.push([k('hold/voided'), D + 6 * HOUR]);
  for (const [key, when] of at) await postedAt(key, when);
  return guild;
}

const cachedHours = async (guild: string) =>
  (await sql.query<{ hour: Date }>(`SELECT hour FROM ledger_hours_cached WHERE guild_id = $1 ORDER BY hour`, [guild])).rows.map((r) => r.hour.toISOString());
const hourRows = async (guild: string, hour: number) =>
  (
    await sql.query<{ type: string; asset: string; entries: number; volume: string }>(
      `SELECT type, asset, entries, volume::text AS volume FROM ledger_hour_volume WHERE guild_id = $1 AND hour = $2 ORDER BY type, asset`,
      [guild, new Date(hour)],
    )
  ).rows;

/** rangeVolume at `now` over [since, until) for every asset filter, each equal to liveVolume. */
async function expectLive(guild: string, ranges: [number, number][], now = NOW): Promise<void> {
  for (const [since, until] of ranges) {
    for (const asset of [null, 'currency', 'gems']) {
      const cached = await rangeVolume(sql, guild, new Date(since), new Date(until), asset, now);
      expect({ since: iso(since), until: iso(until), asset, volume: cached }).toEqual({
        since: iso(since),
        until: iso(until),
        asset,
        volume: await liveVolume(sql, guild, new Date(since), new Date(until), asset),
      });
    }
  }
}

describe('ledger stats from the hour cache', () => {
  it('stores the finished hours of the day on the first call, sums only the current hour live, and answers later calls from the hours', async () => {
    const guild = await seededGuild();
    expect(await cachedHours(guild)).toEqual([]);
    const first = await rangeVolume(sql, guild, new Date(D), new Date(NOW), null, NOW);
    expect(await cachedHours(guild)).toEqual(hoursBetween(D, D + 14 * HOUR));
    expect(first).toEqual(await liveVolume(sql, guild, new Date(D), new Date(NOW), null));
    expect(first).toContainEqual({ day: iso(D).slice(0, 10), type: 'give', asset: 'currency', entries: 7, volume: 3n + 5n + 7n + 11n + 13n + 17n + 19n });
    // An hour's rows are its live sums; an hour with no entries is cached with no rows.
    expect(await hourRows(guild, D + 5 * HOUR)).toEqual([
      { type: 'give', asset: 'currency', entries: 2, volume: '12' },
      { type: 'reward', asset: 'gems', entries: 1, volume: '9' },
    ]);
    expect(await hourRows(guild, D + 13 * HOUR)).toEqual([{ type: 'give', asset: 'currency', entries: 1, volume: '13' }]);
    expect(await hourRows(guild, D + 7 * HOUR)).toEqual([]);

    // The second answer came from the cache: a changed cached row shows.
    await sql.query(`UPDATE ledger_hour_volume SET entries = entries + 100 WHERE guild_id = $1 AND hour = $2 AND type = 'reward'`, [guild, new Date(D + 5 * HOUR)]);
    try {
      const second = await rangeVolume(sql, guild, new Date(D), new Date(NOW), 'gems', NOW);
      expect(second).toEqual([{ day: iso(D).slice(0, 10), type: 'reward', asset: 'gems', entries: 101, volume: 9n }]);
    } finally {
      await sql.query(`UPDATE ledger_hour_volume SET entries = entries - 100 WHERE guild_id = $1 AND hour = $2 AND type = 'reward'`, [guild, new Date(D + 5 * HOUR)]);
    }
  });

  it('answers ranges starting and ending mid-hour, across midnight and with cached days, as the uncached sums', async () => {
    const guild = await seededGuild();
    await expectLive(guild, [
      [D + 5 * HOUR + 30 * MINUTE, D + 9 * HOUR + 30 * MINUTE], // partial first and last hours
      [D + 5 * HOUR + 20 * MINUTE, D + 5 * HOUR + 40 * MINUTE + 1], // inside one hour
      [D + 4 * HOUR - 1, D + 14 * HOUR - 1], // a millisecond before an hour to a millisecond before another
      [D - HOUR + 40 * MINUTE, D + 10 * HOUR + 1], // across midnight
      [D - HOUR + 40 * MINUTE, NOW + HOUR], // past NOW
      [D - 4 * DAY + 5 * HOUR + 10 * MINUTE, NOW], // a partial first day, whole days, then today's hours
      [D - 4 * DAY + 5 * HOUR + 10 * MINUTE, D + 5 * HOUR + 30 * MINUTE], // the same, ending mid-hour
    ]);
    // Hours cached: those of the partial first day and of day D up to the current hour, not the partial first
    // hours, the current hour or the whole days (from the day cache).
    const hours = await cachedHours(guild);
    expect(hours).toEqual(expect.arrayContaining([iso(D - 4 * DAY + 6 * HOUR), iso(D - 3 * DAY - HOUR), iso(D), iso(D + 13 * HOUR)]));
    for (const live of [D - 4 * DAY + 5 * HOUR, D - HOUR, D + 14 * HOUR]) expect(hours).not.toContain(iso(live));
  });

  it('leaves an hour that ended inside the safety margin to the live sums', async () => {
    const guild = await seededGuild();
    // At 14:09:59.999 the 13:00 hour (an entry at 13:59:59.999) ended less than 10 minutes ago.
    const early = D + 14 * HOUR + 10 * MINUTE - 1;
    await expectLive(guild, [[D, early]], early);
    expect(await cachedHours(guild)).toEqual(hoursBetween(D, D + 13 * HOUR));
    // At 14:10 it is cached.
    await expectLive(guild, [[D, early + 1]], early + 1);
    expect(await cachedHours(guild)).toEqual(hoursBetween(D, D + 14 * HOUR));
    expect(await hourRows(guild, D + 13 * HOUR)).toEqual([{ type: 'give', asset: 'currency', entries: 1, volume: '13' }]);
  });

  it('two concurrent first calls over overlapping hours both answer the uncached sums and store each hour as it is', async () => {
    const guild = await seededGuild();
    const [a, b] = await Promise.all([
      rangeVolume(poolOf(prisma), guild, new Date(D - 2 * HOUR), new Date(NOW), null, NOW),
      rangeVolume(sql, guild, new Date(D + 3 * HOUR + 30 * MINUTE), new Date(NOW), null, NOW),
    ]);
    expect(a).toEqual(await liveVolume(sql, guild, new Date(D - 2 * HOUR), new Date(NOW), null));
    expect(b).toEqual(await liveVolume(sql, guild, new Date(D + 3 * HOUR + 30 * MINUTE), new Date(NOW), null));
    expect(await cachedHours(guild)).toEqual(hoursBetween(D - 2 * HOUR, D + 14 * HOUR));
    expect(await hourRows(guild, D + 5 * HOUR)).toEqual([
      { type: 'give', asset: 'currency', entries: 2, volume: '12' },
      { type: 'reward', asset: 'gems', entries: 1, volume: '9' },
    ]);
  });

  it('counts archived entries, archived before or after their hours were cached', async () => {
    const guild = await seededGuild();
    const ranges: [number, number][] = [
      [D - HOUR + 40 * MINUTE, NOW],
      [D + 5 * HOUR + 30 * MINUTE, D + 9 * HOUR + 30 * MINUTE],
    ];
    // Everything posted before 05:00 of day D in the archive before any stats call, the rest after the first.
    expect((await archiveEntries(prisma, { guildId: guild, olderThanDays: 0, now: new Date(D + 5 * HOUR) })).archived).toBeGreaterThan(0);
    await expectLive(guild, ranges);
    expect((await archiveEntries(prisma, { guildId: guild, olderThanDays: 0, now: new Date(NOW) })).archived).toBeGreaterThan(0);
    await expectLive(guild, ranges);
    expect((await sql.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE guild_id = $1 AND type = 'give' AND posted_at < $2`, [guild, new Date(NOW)])).rows[0]).toEqual({ n: 0 });
  });
});
