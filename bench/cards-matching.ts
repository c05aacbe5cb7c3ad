import pg from 'pg';
import { matchesSql, naiveMatchesSql, type MatchScope } from '../activities/cards/matching';
import { createPrismaClient } from '../prisma/client';
import { deployMigrations } from '../prisma/migrator';
import { createEmptyDatabase } from '../test/helpers/database';
import { ascending, percentile } from './stats';
import type { BenchRow, BenchScenario } from './types';

/**
 * `npm run bench -- cards-matching`: two-way card matching for one member among MEMBERS members with
 * ENTRIES list entries each (half haves, half wants; 30 % of wants any printing), seeded set-based into
 * the bench's own database, over PRINTINGS printings of ORACLES cards. Each sampled member's matches
 * (first page of 10) through `matchesSql` — the production query — and through `naiveMatchesSql`, the
 * same answer from one join with the card rule as an OR; p50 and p99 per member query and the ratio.
 * It also prints how long inserting the lists took (the indexes' write cost is part of it).
 */
const MEMBERS = Number(process.env.BENCH_CARDS_MEMBERS ?? 10_000);
const ENTRIES = Number(process.env.BENCH_CARDS_ENTRIES ?? 200);
const PRINTINGS = Number(process.env.BENCH_CARDS_PRINTINGS ?? 20_000);
const ORACLES = Math.ceil(PRINTINGS / 2.5);
const SAMPLES = Number(process.env.BENCH_CARDS_SAMPLES ?? 100);
const NAIVE_SAMPLES = Number(process.env.BENCH_CARDS_NAIVE_SAMPLES ?? 10);
/** BENCH_CARDS_VACUUM=0: measure right after the bulk load, before any vacuum (index-only scans visit the table). */
const VACUUM = process.env.BENCH_CARDS_VACUUM !== '0';
const GUILD = '200000000000000001';
const USER0 = 300_000_000_000_000_000n;

/** Seeds the bench data; how long the list inserts (collection items, haves, wants) took. */
async function seed(pool: pg.Pool): Promise<{ listsMs: number }> {
  const half = ENTRIES / 2;
  await pool.query(`INSERT INTO guilds (id, name, owner_id, updated_at) VALUES ($1, 'Bench', $1, now())`, [GUILD]);
  await pool.query(`INSERT INTO members (guild_id, user_id, updated_at) SELECT $1, ($2::numeric + g)::text, now() FROM generate_series(1, $3::int) g`, [GUILD, String(USER0), MEMBERS]);
  await pool.query(
    `INSERT INTO card_printings (id, oracle_id, name, set_code, set_name, collector_number, rarity, finishes, prices_cents, fetched_at)
     SELECT 'p' || g, 'o' || (g % $2::int), 'Card ' || (g % $2::int), 's' || (g / 300), 'Set ' || (g / 300), g::text, 'rare', ARRAY['nonfoil','foil'],
            jsonb_build_object('nonfoil', 10 + (hashint4(g) & 4095), 'foil', 30 + (hashint4(g) & 8191), 'etched', NULL), now()
     FROM generate_series(1, $1::int) g`,
    [PRINTINGS, ORACLES],
  );
  const t0 = performance.now();
  // Each member's items: pseudo-random printings (a collision within a member is skipped).
  await pool.query(
    `INSERT INTO card_collection_items (user_id, printing_id, quantity, condition, finish, updated_at)
     SELECT ($1::numeric + u)::text, 'p' || (1 + abs(hashint8(u * 1000 + k)) % $3::int), 1 + (abs(hashint8(u * 7 + k)) % 4),
            (ARRAY['NM','NM','LP','LP','MP','HP'])[1 + abs(hashint8(u + k * 13)) % 6], CASE WHEN abs(hashint8(u * 3 + k)) % 10 = 0 THEN 'foil' ELSE 'nonfoil' END, now()
     FROM generate_series(1, $2::int) u, generate_series(1, $4::int) k
     ON CONFLICT DO NOTHING`,
    [String(USER0), MEMBERS, PRINTINGS, half],
  );
  await pool.query(`INSERT INTO card_haves (user_id, collection_item_id, quantity, updated_at) SELECT user_id, id, quantity, now() FROM card_collection_items`);
  await pool.query(
    `INSERT INTO card_wants (user_id, printing_id, oracle_id, any_printing, quantity, min_condition, foil_required, max_price_cents, priority, updated_at)
     SELECT ($1::numeric + u)::text, 'p' || pr, 'o' || (pr % $5::int), abs(hashint8(u * 11 + k)) % 10 < 3, 1 + abs(hashint8(u + k)) % 3,
            (ARRAY['NM','LP','LP','MP'])[1 + abs(hashint8(u * 5 + k)) % 4], abs(hashint8(u * 17 + k)) % 20 = 0,
            CASE WHEN abs(hashint8(u * 19 + k)) % 5 = 0 THEN 2000 END, 1 + abs(hashint8(u * 23 + k)) % 5, now()
     FROM generate_series(1, $2::int) u, generate_series(1, $4::int) k, LATERAL (SELECT 1 + abs(hashint8(u * 31 + k * 1000003)) % $3::int AS pr) p
     ON CONFLICT DO NOTHING`,
    [String(USER0), MEMBERS, PRINTINGS, half, ORACLES],
  );
  const listsMs = performance.now() - t0;
  // As autovacuum leaves the lists between bursts of changes: the matcher reads the other side from
  // covering indexes, which skip the table only for pages the visibility map marks all-visible.
  await pool.query(VACUUM ? 'VACUUM ANALYZE' : 'ANALYZE');
  return { listsMs };
}

async function time(samples: string[], run: (userId: string) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (const userId of samples) {
    const t0 = performance.now();
    await run(userId);
    out.push(performance.now() - t0);
  }
  return ascending(out);
}

export const cardsMatchingScenario: BenchScenario = {
  name: 'cards-matching',
  description: `two-way card matches for one member: ${MEMBERS} members × ${ENTRIES} entries over ${PRINTINGS} printings; the set-based query (${SAMPLES} members) vs a naive join (${NAIVE_SAMPLES} members)`,
  async run(): Promise<BenchRow[]> {
    const db = await createEmptyDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const prisma = createPrismaClient(db.url, { poolSize: 2 });
    try {
      await deployMigrations(db.url);
      const { listsMs } = await seed(pool);
      const counts = await pool.query<{ haves: string; wants: string }>('SELECT (SELECT count(*) FROM card_haves) AS haves, (SELECT count(*) FROM card_wants) AS wants');
      console.log(`inserted ${counts.rows[0]!.haves} haves (and their collection items) and ${counts.rows[0]!.wants} wants in ${(listsMs / 1000).toFixed(1)} s${VACUUM ? ', then vacuumed' : ', not vacuumed'}`);
      const member = (i: number) => String(USER0 + BigInt(1 + ((i * 7919) % MEMBERS)));
      const samples = Array.from({ length: SAMPLES }, (_, i) => member(i));
      const rows: BenchRow[] = [];
      for (const scope of ['guild', 'all'] as MatchScope[]) {
        await prisma.$queryRaw(matchesSql(samples[0]!, GUILD, scope, 11, 0)); // warm the plan cache and buffers
        const ours = await time(samples, (u) => prisma.$queryRaw(matchesSql(u, GUILD, scope, 11, 0)));
        const naive = await time(samples.slice(0, NAIVE_SAMPLES), (u) => prisma.$queryRaw(naiveMatchesSql(u, GUILD, scope, 11, 0)));
        const found = await prisma.$queryRaw<unknown[]>(matchesSql(samples[0]!, GUILD, scope, 11, 0));
        console.log(`scope ${scope}: a member's first page holds ${found.length} matches`);
        const [p50, p99, naive50, naive99] = [percentile(ours, 0.5), percentile(ours, 0.99), percentile(naive, 0.5), percentile(naive, 0.99)];
        console.log(
          `scope ${scope}: matcher p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (${ours.length} members); naive join p50 ${naive50.toFixed(0)} ms, ` +
            `p99 ${naive99.toFixed(0)} ms (${naive.length} members); the matcher is ${(naive50 / p50).toFixed(0)}× faster at p50, ${(naive99 / p99).toFixed(0)}× at p99`,
        );
        rows.push(
          { metric: `p50 per member query (${scope})`, unit: 'ms', ours: p50, baseline: naive50, baselineLabel: 'naive join (OR on the card rule)' },
          { metric: `p99 per member query (${scope})`, unit: 'ms', ours: p99, baseline: naive99, baselineLabel: 'naive join (OR on the card rule)' },
        );
      }
      return rows;
    } finally {
      await prisma.$disconnect();
      await pool.end();
      await db.drop();
    }
  },
};
