import pg from 'pg';
import { createLedger, systemAccount, userAccount } from '../activities/ledger';
import { createPrismaClient } from '../prisma/client';
import { deployMigrations } from '../prisma/migrator';
import { createEmptyDatabase } from '../test/helpers/database';
import type { BenchRow, BenchScenario } from './types';

/**
 * Transfers through the ledger (one PL/pgSQL call on the app's shared pg pool, as the bot and the worker
 * make them) against the cheapest correct transfer plain `pg` can do — BEGIN; UPDATE a; UPDATE b; COMMIT
 * on a two-column table, rows locked in id order — in the same process, on a fresh database of the local
 * PostgreSQL (TEST_DATABASE_ADMIN_URL, as the tests), at 1 and 8 concurrent clients, between random pairs
 * of 100 accounts in random directions. The target: ≥ 0.6× the baseline's transfers/s at 8
 * clients, p99 < 50 ms, no deadlock.
 */

const SECONDS = Number(process.env.BENCH_LEDGER_SECONDS ?? 4);
const WARMUP_MS = 500;
const ROUNDS = 4;
const ACCOUNTS = 100;
const POOL = 10;
const GUILD = '100000000000000001';

interface Run {
  perSecond: number;
  p50: number;
  p99: number;
  deadlocks: number;
}

type Op = (a: number, b: number, n: number) => Promise<unknown>;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

let sequence = 0;

/** `clients` loops calling `op` until `until`; deadlocks are counted, any other error aborts the benchmark. */
async function drive(clients: number, until: number, op: Op, into: { latencies: number[]; deadlocks: number } | null): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const a = 1 + Math.floor(Math.random() * ACCOUNTS);
        const b = 1 + ((a + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS); // ≠ a, either direction
        const t0 = performance.now();
        try {
          await op(a, b, (sequence += 1));
        } catch (err) {
          if ((err as { code?: string }).code !== '40P01' || !into) throw err;
          into.deadlocks += 1;
        }
        into?.latencies.push(performance.now() - t0);
      }
    }),
  );
}

/**
 * Measures the contenders side by side: ROUNDS rounds, each giving every contender an equal slice of
 * `ms` in turn (after one warm-up), so a neighbour's load on this shared machine hits them alike.
 */
async function compare(clients: number, ms: number, ops: Record<string, Op>): Promise<Record<string, Run>> {
  const acc = Object.fromEntries(Object.keys(ops).map((name) => [name, { latencies: [] as number[], deadlocks: 0, elapsed: 0 }]));
  for (const op of Object.values(ops)) await drive(clients, performance.now() + WARMUP_MS, op, null);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, op] of Object.entries(ops)) {
      const start = performance.now();
      await drive(clients, start + ms / ROUNDS, op, acc[name]!);
      acc[name]!.elapsed += performance.now() - start;
    }
  }
  return Object.fromEntries(
    Object.entries(acc).map(([name, a]) => {
      a.latencies.sort((x, y) => x - y);
      return [name, { perSecond: (a.latencies.length / a.elapsed) * 1000, p50: percentile(a.latencies, 0.5), p99: percentile(a.latencies, 0.99), deadlocks: a.deadlocks }];
    }),
  );
}

export const ledgerScenario: BenchScenario = {
  name: 'ledger',
  description: `transfers through the ledger vs a raw pg two-row transaction, ${SECONDS} s each (in ${ROUNDS} alternating rounds) at 1 and 8 clients, ${ACCOUNTS} accounts`,
  async run(): Promise<BenchRow[]> {
    const db = await createEmptyDatabase();
    const prisma = createPrismaClient(db.url, { poolSize: POOL });
    const raw = new pg.Pool({ connectionString: db.url, max: POOL });
    try {
      await deployMigrations(db.url);
      const ledger = createLedger(prisma);
      await prisma.guild.create({ data: { id: GUILD, name: 'Bench', ownerId: '200000000000000001' } });
      const user = (i: number) => userAccount(String(300000000000000000n + BigInt(i)));
      const actor = { type: 'system', id: 'bench' } as const;
      for (let i = 1; i <= ACCOUNTS; i++) {
        await ledger.transfer({ guildId: GUILD, key: `fund:${i}`, type: 'daily', actor, asset: 'currency', from: systemAccount('issuance'), to: user(i), amount: 1_000_000_000n });
      }
      await raw.query('CREATE TABLE bench_raw_accounts (id integer PRIMARY KEY, balance bigint NOT NULL)');
      await raw.query('INSERT INTO bench_raw_accounts SELECT g, 1000000000 FROM generate_series(1, $1::int) g', [ACCOUNTS]);

      const viaLedger = (tag: string): Op => (a, b, n) =>
        ledger.transfer({ guildId: GUILD, key: `${tag}:${n}`, type: 'give', actor, asset: 'currency', from: user(a), to: user(b), amount: 1n });
      const viaRaw: Op = async (a, b) => {
        const client = await raw.connect();
        try {
          await client.query('BEGIN');
          await client.query('UPDATE bench_raw_accounts SET balance = balance - 1 WHERE id = $1', [Math.min(a, b)]);
          await client.query('UPDATE bench_raw_accounts SET balance = balance + 1 WHERE id = $1', [Math.max(a, b)]);
          await client.query('COMMIT');
          client.release();
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          client.release();
          throw err;
        }
      };
      const postings = (a: number, b: number) =>
        JSON.stringify([
          { ownerType: 'user', ownerId: user(a).ownerId, asset: 'currency', amount: '-1' },
          { ownerType: 'user', ownerId: user(b).ownerId, asset: 'currency', amount: '1' },
        ]);
      const viaPrisma: Op = (a, b, n) =>
        prisma.$queryRawUnsafe(`SELECT ledger_record($1, $2, 'give', false, 'system', 'bench', NULL, '{}'::jsonb, $3::jsonb)`, GUILD, `prisma:${n}`, postings(a, b));

      const deadlocksBefore = await deadlockCount(raw);
      const one = await compare(1, SECONDS * 1000, { raw: viaRaw, ledger: viaLedger('l1') });
      const eight = await compare(8, SECONDS * 1000, { raw: viaRaw, ledger: viaLedger('l8'), prisma: viaPrisma });
      const results = { raw1: one.raw!, ledger1: one.ledger!, raw8: eight.raw!, ledger8: eight.ledger!, prisma8: eight.prisma! };
      const serverDeadlocks = (await deadlockCount(raw)) - deadlocksBefore;

      const report = await ledger.validate(GUILD);
      if (!report.ok) throw new Error(`The ledger does not validate after the benchmark: ${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);

      const r = results;
      const ratio = r.ledger8.perSecond / r.raw8.perSecond;
      const met = ratio >= 0.6 && r.ledger8.p99 < 50 && r.ledger1.deadlocks + r.ledger8.deadlocks + serverDeadlocks === 0;
      console.log(
        `target (≥ 0.6× raw at 8 clients, p99 < 50 ms, 0 deadlocks): ${met ? 'met' : 'NOT met'} — ${ratio.toFixed(2)}×, p99 ${r.ledger8.p99.toFixed(1)} ms, ` +
          `${serverDeadlocks} deadlocks on the server; the ledger validates clean after ${Object.values(results).reduce((s, x) => s + x.perSecond * SECONDS, 0).toFixed(0)} transfers`,
      );
      const raw1 = 'raw pg BEGIN/UPDATE/UPDATE/COMMIT';
      return [
        { metric: 'transfers/s, 1 client', unit: '/s', ours: r.ledger1.perSecond, baseline: r.raw1.perSecond, baselineLabel: raw1 },
        { metric: 'p50 latency, 1 client', unit: 'ms', ours: r.ledger1.p50, baseline: r.raw1.p50, baselineLabel: raw1 },
        { metric: 'p99 latency, 1 client', unit: 'ms', ours: r.ledger1.p99, baseline: r.raw1.p99, baselineLabel: raw1 },
        { metric: 'transfers/s, 8 clients', unit: '/s', ours: r.ledger8.perSecond, baseline: r.raw8.perSecond, baselineLabel: raw1 },
        { metric: 'p50 latency, 8 clients', unit: 'ms', ours: r.ledger8.p50, baseline: r.raw8.p50, baselineLabel: raw1 },
        { metric: 'p99 latency, 8 clients', unit: 'ms', ours: r.ledger8.p99, baseline: r.raw8.p99, baselineLabel: raw1 },
        {
          metric: 'transfers/s, 8 clients, ledger_record via Prisma $queryRaw',
          unit: '/s',
          ours: r.prisma8.perSecond,
          baseline: r.raw8.perSecond,
          baselineLabel: raw1,
        },
        {
          metric: 'deadlocks (client errors 40P01, all runs)',
          unit: '',
          ours: r.ledger1.deadlocks + r.ledger8.deadlocks + r.prisma8.deadlocks,
          baseline: r.raw1.deadlocks + r.raw8.deadlocks,
          baselineLabel: `raw runs (server counted ${serverDeadlocks} in all)`,
        },
      ];
    } finally {
      await prisma.$disconnect();
      await raw.end();
      await db.drop();
    }
  },
};

async function deadlockCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT deadlocks::text AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]?.n ?? 0);
}
