import pg from 'pg';
import { archiveEntries, ledgerStats, systemAccount, userAccount, type Ledger } from '../../../activities/ledger';
import { rangeVolume } from '../../../activities/ledger/day-volume';
import { liveVolume } from '../../../activities/ledger/live-volume';
import type { PrismaClient } from '../../../prisma/client';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { createGuild, fund, ledgerOn, snowflake, SYSTEM } from '../../helpers/ledger';

/**
 * The stats' day cache: every answer equals the volume summed straight from the postings (liveVolume, the
 * query the stats ran before the cache), whether its days come from the cache, are stored by this call or
 * are summed live; finished days are stored once, empty ones too.
 */

let db: TestDatabase;
let prisma: PrismaClient;
let ledger: Ledger;
let sql: pg.Pool;

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
/** Midnight UTC `n` days before today's. */
const dayStart = (n: number) => today - n * DAY;
const dayText = (n: number) => new Date(dayStart(n)).toISOString().slice(0, 10);

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
 * A guild with entries on days 6, 5, 4 and 2 before today (day 3 has none), at the edges of the days
 * too, two assets, holds posted, pending and voided, some archived; and some today.
 */
async function seededGuild(): Promise<string> {
  const guild = await createGuild(prisma);
  const [alice, bob, carol] = [snowflake(), snowflake(), snowflake()];
  const k = (name: string) => `${name}:${guild}`;
  const at: [string, number][] = [];
  const give = async (name: string, from: string, to: string, amount: bigint, when: number) => {
    await ledger.transfer({ guildId: guild, key: k(name), type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(from), to: userAccount(to), amount });
    at.push([k(name), when]);
  };
  for (const [user, amount, when] of [
    [alice, 1000n, dayStart(6)],
    [bob, 500n, dayStart(6) + 3_600_000],
    [carol, 70n, dayStart(5) + 12 * 3_600_000],
  ] as const) {
    await fund(ledger, guild, user, amount, k(`daily/${user}`));
    at.push([k(`daily/${user}`), when]);
  }
  await give('give/1', alice, bob, 120n, dayStart(6) + 10 * 3_600_000);
  await give('give/2', bob, carol, 20n, dayStart(5) - 1); // the last millisecond of day 6
  await give('give/3', alice, carol, 7n, dayStart(5) + 13 * 3_600_000);
  await give('give/4', carol, alice, 3n, dayStart(4));
  await give('give/5', alice, bob, 11n, dayStart(2) + 5 * 3_600_000);
  await give('give/6', bob, alice, 2n, dayStart(2) + 20 * 3_600_000);
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
  at.push([k('gems/1'), dayStart(5) + 14 * 3_600_000]);
  const hold = (name: string, from: string, amount: bigint) =>
    ledger.hold({ guildId: guild, key: k(name), type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(from), to: systemAccount('sink'), amount });
  await hold('hold/posted', alice, 40n);
  await ledger.postHold({ key: k('hold/posted'), amount: 30n });
  at.push([k('hold/posted'), dayStart(4) + 8 * 3_600_000]);
  await hold('hold/voided', bob, 5n);
  await ledger.voidHold({ key: k('hold/voided') });
  at.push([k('hold/voided'), dayStart(4) + 9 * 3_600_000]);
  await hold('hold/pending', carol, 4n);
  for (const [key, when] of at) await postedAt(key, when);
  // Today's, left as they are.
  await give('give/today', alice, bob, 1n, Date.now());
  // The oldest day in the archive, before any stats call.
  expect((await archiveEntries(prisma, { guildId: guild, olderThanDays: 6, batchSize: 2 })).archived).toBeGreaterThan(0);
  return guild;
}

const cachedDays = async (guild: string) =>
  (await sql.query<{ day: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM ledger_days_cached WHERE guild_id = $1 ORDER BY day`, [guild])).rows.map((r) => r.day);
const volumeRowsOf = async (guild: string, day: string) =>
  (
    await sql.query<{ type: string; asset: string; entries: number; volume: string }>(
      `SELECT type, asset, entries, volume::text AS volume FROM ledger_day_volume WHERE guild_id = $1 AND day = $2::date ORDER BY type, asset`,
      [guild, day],
    )
  ).rows;

describe('ledger stats from the day cache', () => {
  let guild: string;
  beforeAll(async () => {
    guild = await seededGuild();
  });

  it('stores the finished days on the first call and answers the second from them, both equal to the uncached sums', async () => {
    const until = new Date();
    expect(await cachedDays(guild)).toEqual([]);
    const first = await ledgerStats(prisma, { guildId: guild, until });

    const since = new Date(until.getTime() - 30 * DAY);
    const expectedDays: string[] = [];
    for (let d = Math.ceil(since.getTime() / DAY) * DAY; d + DAY <= Math.min(until.getTime(), Date.now() - 10 * 60_000); d += DAY) {
      expectedDays.push(new Date(d).toISOString().slice(0, 10));
    }
    expect(await cachedDays(guild)).toEqual(expectedDays);
    // The rows of a day are the live sums of that day; a day with no entries is cached with no rows.
    const day6 = dayText(6);
    expect(await volumeRowsOf(guild, day6)).toEqual([
      { type: 'daily', asset: 'currency', entries: 2, volume: '1500' },
      { type: 'give', asset: 'currency', entries: 2, volume: '140' },
    ]);
    expect(await volumeRowsOf(guild, dayText(3))).toEqual([]);
    expect(await cachedDays(guild)).toContain(dayText(3));

    const uncached = await liveVolume(sql, guild, since, until, null);
    expect(uncached.map((r) => r.day)).toEqual(expect.arrayContaining([dayText(6), dayText(5), dayText(4), dayText(2), dayText(0)]));
    expect(first.volume).toEqual(uncached);
    const second = await ledgerStats(prisma, { guildId: guild, until });
    expect(second).toEqual(first);
    expect(first.totals).toContainEqual({ type: 'give', asset: 'currency', entries: 7, volume: 164n });

    // The second answer came from the cache: a changed cached row shows.
    await sql.query(`UPDATE ledger_day_volume SET entries = entries + 100 WHERE guild_id = $1 AND day = $2::date AND type = 'daily'`, [guild, day6]);
    try {
      const third = await ledgerStats(prisma, { guildId: guild, until });
      expect(third.volume.find((r) => r.day === day6 && r.type === 'daily')).toEqual({ day: day6, type: 'daily', asset: 'currency', entries: 102, volume: 1500n });
    } finally {
      await sql.query(`UPDATE ledger_day_volume SET entries = entries - 100 WHERE guild_id = $1 AND day = $2::date AND type = 'daily'`, [guild, day6]);
    }
  });

  it('answers custom ranges with partial first and last days, one asset, and after more archiving, as the uncached sums', async () => {
    const ranges: [number, number][] = [
      [dayStart(6) + 5 * 3_600_000, dayStart(2) + 6 * 3_600_000], // partial day 6, whole 5–3, partial day 2
      [dayStart(5) + 13 * 3_600_000, dayStart(5) + 14 * 3_600_000 + 1], // inside one day
      [dayStart(6), dayStart(4)], // whole days only
      [dayStart(5) - 1, dayStart(4) + 1], // a millisecond either side of a whole day
      [dayStart(7), Date.now()], // up to now: today live
    ];
    const check = async () => {
      for (const [since, until] of ranges) {
        for (const asset of [undefined, 'currency', 'gems']) {
          const stats = await ledgerStats(prisma, { guildId: guild, since: new Date(since), until: new Date(until), asset });
          expect({ since, until, asset, volume: stats.volume }).toEqual({ since, until, asset, volume: await liveVolume(sql, guild, new Date(since), new Date(until), asset ?? null) });
        }
      }
    };
    await check();
    expect(await cachedDays(guild)).toEqual(expect.arrayContaining([dayText(6), dayText(5), dayText(4), dayText(3)]));
    // Archiving keeps posted_at, so cached days stay right.
    expect((await archiveEntries(prisma, { guildId: guild, olderThanDays: 3 })).archived).toBeGreaterThan(0);
    await check();
  });

  it('leaves a day that ended inside the safety margin to the live sums', async () => {
    const other = await createGuild(prisma);
    await fund(ledger, other, snowflake(), 5n, `fund:${other}:late`);
    await postedAt(`fund:${other}:late`, dayStart(1) + DAY - 1000);
    const volume = await rangeVolume(sql, other, new Date(dayStart(3)), new Date(today + 5 * 60_000), null, today + 5 * 60_000);
    expect(volume).toEqual([{ day: dayText(1), type: 'daily', asset: 'currency', entries: 1, volume: 5n }]);
    expect(await cachedDays(other)).toEqual([dayText(3), dayText(2)]);
  });

  it('two concurrent first calls store each day once and answer the same', async () => {
    const fresh = await seededGuild();
    const until = new Date();
    const since = new Date(dayStart(10));
    const [a, b] = await Promise.all([ledgerStats(prisma, { guildId: fresh, since, until }), ledgerStats(sql, { guildId: fresh, since, until })]);
    expect(a).toEqual(b);
    expect(a.volume).toEqual(await liveVolume(sql, fresh, since, until, null));
    const days = await cachedDays(fresh);
    expect(days[0]).toBe(dayText(10));
    expect(new Set(days).size).toBe(days.length);
    expect(days).toContain(dayText(2));
  });
});
