import pg from 'pg';
import { claimTask } from '../activities/tasks/claims';
import { createPrismaClient, type PrismaClient } from '../prisma/client';
import type { SqlPool } from '../prisma/transactions';
import { deployMigrations } from '../prisma/migrator';
import { createEmptyDatabase } from '../test/helpers/database';
import { sideBySide, type Op } from './side-by-side';
import { breakdownTable, statementBreakdown, walPerOp, type StatementStat } from './statement-breakdown';
import type { BenchRow, BenchScenario } from './types';

/**
 * Taking a task slot (activities/tasks/claims.ts claimTask: one transaction in plain SQL with the
 * per-member advisory lock, the checks — task open, not claimed before, active limit — the conditional
 * UPDATE of the task's slot counter and the claim insert) against the least a correct claim can do in plain
 * `pg`: BEGIN; conditional UPDATE of the counter; INSERT; COMMIT. 8 concurrent clients, each claim by a new
 * member: spread over 50 unlimited tasks, then all on one task with max_claims = 100 (contention on one row),
 * where exactly 100 must succeed; each measured side by side with the baseline (side-by-side.ts). Then
 * where a claim's time goes, statement by statement (statement-breakdown.ts). The workflow around it
 * (Temporal) is not measured here.
 */

const SECONDS = Number(process.env.BENCH_TASKS_SECONDS ?? 3);
const BREAKDOWN_CLAIMS = Number(process.env.BENCH_TASKS_BREAKDOWN ?? 200);
const CLIENTS = 8;
const ROUNDS = 3;
const TASKS = 50;
const LIMITED = 100;
const GUILD = '100000000000000001';

export const tasksScenario: BenchScenario = {
  name: 'tasks',
  description: `task slots taken by claimTask vs a raw pg conditional UPDATE + INSERT, ${CLIENTS} clients, ${SECONDS} s each (in ${ROUNDS} alternating rounds); then ${CLIENTS} clients on one task of ${LIMITED} slots`,
  async run(): Promise<BenchRow[]> {
    const db = await createEmptyDatabase();
    const prisma = createPrismaClient(db.url, { poolSize: 10 });
    const raw = new pg.Pool({ connectionString: db.url, max: 10 });
    try {
      await deployMigrations(db.url);
      await prisma.guild.create({ data: { id: GUILD, name: 'Bench', ownerId: '200000000000000001', taskSettings: { create: { maxActivePerUser: 1000 } } } });
      const tasks: { id: number }[] = [];
      for (let i = 0; i < TASKS; i++) tasks.push(await prisma.task.create({ data: { guildId: GUILD, name: `Bench ${i}`, reward: 1n, claimDurationSeconds: 3600, createdBy: 'bench' } }));
      await raw.query('CREATE TABLE bench_tasks (id int PRIMARY KEY, slots int NOT NULL DEFAULT 0, max_claims int, CHECK (max_claims IS NULL OR slots <= max_claims))');
      await raw.query('CREATE TABLE bench_claims (task_id int NOT NULL REFERENCES bench_tasks, user_id text NOT NULL, PRIMARY KEY (task_id, user_id))');
      await raw.query('INSERT INTO bench_tasks (id) SELECT g FROM generate_series(1, $1::int) g', [TASKS]);

      // Each claim by a new member.
      let seq = 0;
      const member = () => String(300000000000000000n + BigInt((seq += 1)));
      const ours = (taskId: () => number, pool: PrismaClient | SqlPool = prisma): Op => async () => {
        const [userId, id] = [member(), taskId()];
        return (await claimTask(pool, { claimId: `task:${id}:${userId}`, guildId: GUILD, taskId: id, userId })).ok;
      };
      const baseline = (taskId: () => number, pool = raw): Op => async () => {
        const client = await pool.connect();
        try {
          const id = taskId();
          await client.query('BEGIN');
          const taken = await client.query('UPDATE bench_tasks SET slots = slots + 1 WHERE id = $1 AND (max_claims IS NULL OR slots < max_claims) RETURNING slots', [id]);
          if (taken.rowCount) await client.query('INSERT INTO bench_claims VALUES ($1, $2)', [id, member()]);
          await client.query('COMMIT');
          return (taken.rowCount ?? 0) > 0;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        } finally {
          client.release();
        }
      };
      const randomTask = () => tasks[Math.floor(Math.random() * TASKS)]!.id;
      const randomRaw = () => 1 + Math.floor(Math.random() * TASKS);
      const opts = { clients: CLIENTS, ms: SECONDS * 1000, rounds: ROUNDS, warmupMs: 300 };
      const spread = await sideBySide({ ours: ours(randomTask), raw: baseline(randomRaw) }, opts);

      const limited = await prisma.task.create({ data: { guildId: GUILD, name: 'Bench limited', reward: 1n, claimDurationSeconds: 3600, maxClaims: LIMITED, createdBy: 'bench' } });
      await raw.query('INSERT INTO bench_tasks (id, max_claims) VALUES (100000, $1)', [LIMITED]);
      const hot = await sideBySide({ ours: ours(() => limited.id), raw: baseline(() => 100000) }, { ...opts, warmupMs: 0 });
      const claimed = await prisma.taskClaim.count({ where: { taskId: limited.id } });
      const slots = (await prisma.task.findUniqueOrThrow({ where: { id: limited.id } })).slotsTaken;
      if (claimed !== LIMITED || slots !== LIMITED || hot.ours!.ok !== LIMITED || hot.ours!.refused === 0) {
        throw new Error(`max_claims broken under load: ${claimed} claims, ${slots} slots, ${hot.ours!.ok} successes for ${LIMITED} slots`);
      }
      console.log(`one task of ${LIMITED} slots: exactly ${claimed} claims stored, slots_taken ${slots}; ${hot.ours!.refused} claims refused as full (raw: ${hot.raw!.ok} taken)`);

      const breakdowns: [string, StatementStat[]][] = [
        ['claimTask', await statementBreakdown(db.url, BREAKDOWN_CLAIMS, (pool) => ours(randomTask, pool)())],
        ['raw claim', await statementBreakdown(db.url, BREAKDOWN_CLAIMS, (pool) => baseline(randomRaw, pool)())],
      ];
      for (const [title, stats] of breakdowns) console.log(`${breakdownTable(`${title} (${BREAKDOWN_CLAIMS} claims on the ${TASKS} tasks, one at a time, auto_explain):`, stats)}\n`);
      const ratio = spread.ours!.perSecond / spread.raw!.perSecond;
      console.log(`target (≥ 0.5× raw claims/s at ${CLIENTS} clients): ${ratio >= 0.5 ? 'met' : 'NOT met'} — ${ratio.toFixed(2)}×`);

      const label = 'raw pg BEGIN/UPDATE…RETURNING/INSERT/COMMIT';
      return [
        { metric: `claims/s, ${CLIENTS} clients, ${TASKS} tasks`, unit: '/s', ours: spread.ours!.perSecond, baseline: spread.raw!.perSecond, baselineLabel: label },
        { metric: `p50 latency, ${CLIENTS} clients, ${TASKS} tasks`, unit: 'ms', ours: spread.ours!.p50, baseline: spread.raw!.p50, baselineLabel: label },
        { metric: `p99 latency, ${CLIENTS} clients, ${TASKS} tasks`, unit: 'ms', ours: spread.ours!.p99, baseline: spread.raw!.p99, baselineLabel: label },
        { metric: `attempts/s, ${CLIENTS} clients, one task (${LIMITED} slots, then full)`, unit: '/s', ours: hot.ours!.perSecond, baseline: hot.raw!.perSecond, baselineLabel: label },
        { metric: `p99 latency, one task`, unit: 'ms', ours: hot.ours!.p99, baseline: hot.raw!.p99, baselineLabel: label },
        { metric: `slots taken on the one task (must be ${LIMITED})`, unit: '', ours: hot.ours!.ok, baseline: hot.raw!.ok, baselineLabel: label },
        { metric: 'WAL bytes per claim (commit record not counted)', unit: 'B', ours: walPerOp(breakdowns[0]![1]), baseline: walPerOp(breakdowns[1]![1]), baselineLabel: label },
      ];
    } finally {
      await prisma.$disconnect();
      await raw.end();
      await db.drop();
    }
  },
};
