import pg from 'pg';
import { createLedger, systemAccount, userAccount } from '../activities/ledger';
import { createPrismaClient } from '../prisma/client';
import { deployMigrations } from '../prisma/migrator';
import { createEmptyDatabase } from '../test/helpers/database';
import { startBusyCore } from './busy-core';
import { sideBySide, type Op, type Run } from './side-by-side';
import { breakdownTable, statementBreakdown, walPerOp, type StatementStat } from './statement-breakdown';
import type { BenchRow, BenchScenario } from './types';

/**
 * Transfers through the ledger (one PL/pgSQL call on the app's shared pg pool, as the bot and the worker
 * make them) against plain `pg` in the same process, on a fresh database of the local PostgreSQL
 * (TEST_DATABASE_ADMIN_URL, as the tests), between random pairs of 100 accounts in random directions:
 * - "raw": the cheapest transfer plain `pg` can do — BEGIN; UPDATE a; UPDATE b; COMMIT on a two-column
 *   table, rows locked in id order — with no key, no balance check and no postings (the target's baseline);
 * - "raw keyed": the same work as a ledger transfer in plain SQL — BEGIN; the idempotency key claimed
 *   (INSERT … ON CONFLICT DO NOTHING); both balances changed in id order, the debit only if it stays ≥ 0;
 *   the two postings; COMMIT — without what the ledger adds on top (the per-guild and per-account
 *   indexes behind history pages, the entry's JSON answer, the live event, holds and archive checks).
 * At 1 and 8 clients, then at 8 clients again with another process keeping one core busy. Then where a
 * transfer's time goes: each statement the client sends and each the server runs (nested ones too), with
 * its WAL (statement-breakdown.ts). The target: ≥ 0.6× raw at 8 clients with the busy core, p99 < 50 ms,
 * no deadlock.
 */

const SECONDS = Number(process.env.BENCH_LEDGER_SECONDS ?? 4);
const BREAKDOWN_TRANSFERS = Number(process.env.BENCH_LEDGER_BREAKDOWN ?? 200);
const WARMUP_MS = 500;
const ROUNDS = Number(process.env.BENCH_LEDGER_ROUNDS ?? 8);
const ACCOUNTS = 100;
const POOL = 10;
const GUILD = '100000000000000001';
const DEADLOCK = '40P01';

/** Two different accounts, 1 … ACCOUNTS, in either direction. */
function randomPair(): [number, number] {
  const a = 1 + Math.floor(Math.random() * ACCOUNTS);
  return [a, 1 + ((a + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS)];
}

/** One transaction on one connection of `pool`: COMMIT, or ROLLBACK and rethrow. */
async function transaction(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The two-row baseline. */
const rawTransfer = (pool: pg.Pool, a: number, b: number) =>
  transaction(pool, async (client) => {
    await client.query('UPDATE bench_raw_accounts SET balance = balance - 1 WHERE id = $1', [Math.min(a, b)]);
    await client.query('UPDATE bench_raw_accounts SET balance = balance + 1 WHERE id = $1', [Math.max(a, b)]);
  });

/** The same work as a ledger transfer, in plain SQL: key, balance check, postings. */
const keyedTransfer = (pool: pg.Pool, key: string, from: number, to: number) =>
  transaction(pool, async (client) => {
    const entry = await client.query<{ id: string }>('INSERT INTO bench_raw_entries (idempotency_key) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id', [key]);
    if (!entry.rows[0]) return; // applied before
    for (const [id, amount] of from < to ? [[from, -1], [to, 1]] : [[to, 1], [from, -1]]) {
      const changed = await client.query('UPDATE bench_raw_accounts SET balance = balance + $2 WHERE id = $1 AND balance + $2 >= 0', [id, amount]);
      if (!changed.rowCount) throw new Error(`account ${id}: insufficient funds`);
    }
    await client.query('INSERT INTO bench_raw_postings (entry_id, account_id, amount) VALUES ($1, $2, -1), ($1, $3, 1)', [entry.rows[0].id, from, to]);
  });

const RAW_SCHEMA = `
  CREATE TABLE bench_raw_accounts (id integer PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
  CREATE TABLE bench_raw_entries (id bigserial PRIMARY KEY, idempotency_key text NOT NULL UNIQUE);
  CREATE TABLE bench_raw_postings (entry_id bigint NOT NULL REFERENCES bench_raw_entries, account_id integer NOT NULL REFERENCES bench_raw_accounts,
                                   amount bigint NOT NULL, PRIMARY KEY (entry_id, account_id))`;

export const ledgerScenario: BenchScenario = {
  name: 'ledger',
  description: `transfers through the ledger vs raw pg (two rows; and the same work keyed with postings), ${SECONDS} s each (in ${ROUNDS} alternating rounds) at 1 and 8 clients, and at 8 with one core kept busy; ${ACCOUNTS} accounts`,
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
      await raw.query(RAW_SCHEMA);
      await raw.query('INSERT INTO bench_raw_accounts SELECT g, 1000000000 FROM generate_series(1, $1::int) g', [ACCOUNTS]);

      let sequence = 0;
      const viaLedger = (tag: string, l = ledger): Op => () => {
        const [a, b] = randomPair();
        return l.transfer({ guildId: GUILD, key: `${tag}:${(sequence += 1)}`, type: 'give', actor, asset: 'currency', from: user(a), to: user(b), amount: 1n });
      };
      const viaRaw = (pool = raw): Op => () => rawTransfer(pool, ...randomPair());
      const viaKeyed = (tag: string, pool = raw): Op => () => keyedTransfer(pool, `${tag}:${(sequence += 1)}`, ...randomPair());
      const postings = (a: number, b: number) =>
        JSON.stringify([
          { ownerType: 'user', ownerId: user(a).ownerId, asset: 'currency', amount: '-1' },
          { ownerType: 'user', ownerId: user(b).ownerId, asset: 'currency', amount: '1' },
        ]);
      const viaPrisma: Op = () =>
        prisma.$queryRawUnsafe(`SELECT ledger_record($1, $2, 'give', false, 'system', 'bench', NULL, '{}'::jsonb, $3::jsonb)`, GUILD, `prisma:${(sequence += 1)}`, postings(...randomPair()));

      const deadlocksBefore = await deadlockCount(raw);
      const opts = (clients: number) => ({ clients, ms: SECONDS * 1000, rounds: ROUNDS, warmupMs: WARMUP_MS, tolerated: [DEADLOCK] });
      const one = await sideBySide({ raw: viaRaw(), ledger: viaLedger('l1') }, opts(1));
      const eight = await sideBySide({ raw: viaRaw(), keyed: viaKeyed('k8'), ledger: viaLedger('l8'), prisma: viaPrisma }, opts(8));
      const busyCore = startBusyCore();
      let busy: Record<string, Run>;
      try {
        busy = await sideBySide({ raw: viaRaw(), keyed: viaKeyed('kb'), ledger: viaLedger('lb') }, opts(8));
      } finally {
        await busyCore.stop();
      }
      const serverDeadlocks = (await deadlockCount(raw)) - deadlocksBefore;

      const breakdowns: [string, StatementStat[]][] = [
        ['ledger transfer', await statementBreakdown(db.url, BREAKDOWN_TRANSFERS, (pool) => viaLedger('s', createLedger(pool))())],
        ['raw keyed transfer', await statementBreakdown(db.url, BREAKDOWN_TRANSFERS, (pool) => viaKeyed('sk', pool)())],
        ['raw two-row transfer', await statementBreakdown(db.url, BREAKDOWN_TRANSFERS, (pool) => viaRaw(pool)())],
      ];
      for (const [title, stats] of breakdowns) console.log(`${breakdownTable(`${title} (${BREAKDOWN_TRANSFERS}, one at a time, auto_explain):`, stats)}\n`);
      const wal = Object.fromEntries(breakdowns.map(([title, stats]) => [title, walPerOp(stats)]));

      const report = await ledger.validate(GUILD);
      if (!report.ok) throw new Error(`The ledger does not validate after the benchmark: ${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);

      const all = [...Object.values(one), ...Object.values(eight), ...Object.values(busy)];
      const deadlocks = all.reduce((n, r) => n + r.tolerated, 0) + serverDeadlocks;
      const ratio = busy.ledger!.perSecond / busy.raw!.perSecond;
      const met = ratio >= 0.6 && busy.ledger!.p99 < 50 && deadlocks === 0;
      console.log(
        `target (≥ 0.6× raw at 8 clients with one core busy, p99 < 50 ms, 0 deadlocks): ${met ? 'met' : 'NOT met'} — ${ratio.toFixed(2)}× ` +
          `(quiet: ${(eight.ledger!.perSecond / eight.raw!.perSecond).toFixed(2)}×), p99 ${busy.ledger!.p99.toFixed(1)} ms, ${deadlocks} deadlocks; ` +
          `the ledger validates clean after ${[one.ledger!, eight.ledger!, eight.prisma!, busy.ledger!].reduce((n, r) => n + r.ok, 0)} transfers of the runs`,
      );
      const label = 'raw pg BEGIN/UPDATE/UPDATE/COMMIT';
      const keyedLabel = 'raw pg, same work: key, checked debit, postings';
      return [
        { metric: 'transfers/s, 1 client', unit: '/s', ours: one.ledger!.perSecond, baseline: one.raw!.perSecond, baselineLabel: label },
        { metric: 'p50 latency, 1 client', unit: 'ms', ours: one.ledger!.p50, baseline: one.raw!.p50, baselineLabel: label },
        { metric: 'p99 latency, 1 client', unit: 'ms', ours: one.ledger!.p99, baseline: one.raw!.p99, baselineLabel: label },
        { metric: 'transfers/s, 8 clients', unit: '/s', ours: eight.ledger!.perSecond, baseline: eight.raw!.perSecond, baselineLabel: label },
        { metric: 'p50 latency, 8 clients', unit: 'ms', ours: eight.ledger!.p50, baseline: eight.raw!.p50, baselineLabel: label },
        { metric: 'p99 latency, 8 clients', unit: 'ms', ours: eight.ledger!.p99, baseline: eight.raw!.p99, baselineLabel: label },
        { metric: 'transfers/s, 8 clients', unit: '/s', ours: eight.ledger!.perSecond, baseline: eight.keyed!.perSecond, baselineLabel: keyedLabel },
        { metric: 'transfers/s, 8 clients, ledger_record via Prisma $queryRaw', unit: '/s', ours: eight.prisma!.perSecond, baseline: eight.raw!.perSecond, baselineLabel: label },
        { metric: 'transfers/s, 8 clients, one core busy', unit: '/s', ours: busy.ledger!.perSecond, baseline: busy.raw!.perSecond, baselineLabel: label },
        { metric: 'p50 latency, 8 clients, one core busy', unit: 'ms', ours: busy.ledger!.p50, baseline: busy.raw!.p50, baselineLabel: label },
        { metric: 'p99 latency, 8 clients, one core busy', unit: 'ms', ours: busy.ledger!.p99, baseline: busy.raw!.p99, baselineLabel: label },
        { metric: 'transfers/s, 8 clients, one core busy', unit: '/s', ours: busy.ledger!.perSecond, baseline: busy.keyed!.perSecond, baselineLabel: keyedLabel },
        { metric: 'WAL bytes per transfer (commit record not counted)', unit: 'B', ours: wal['ledger transfer']!, baseline: wal['raw two-row transfer']!, baselineLabel: label },
        { metric: 'WAL bytes per transfer (commit record not counted)', unit: 'B', ours: wal['ledger transfer']!, baseline: wal['raw keyed transfer']!, baselineLabel: keyedLabel },
        {
          metric: 'deadlocks (client errors 40P01, all runs)',
          unit: '',
          ours: one.ledger!.tolerated + eight.ledger!.tolerated + eight.prisma!.tolerated + busy.ledger!.tolerated,
          baseline: one.raw!.tolerated + eight.raw!.tolerated + eight.keyed!.tolerated + busy.raw!.tolerated + busy.keyed!.tolerated,
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
