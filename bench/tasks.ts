import pg from 'pg';
import { claimTask } from '../activities/tasks/claims';
import { createPrismaClient } from '../prisma/client';
import { deployMigrations } from '../prisma/migrator';
import { createEmptyDatabase } from '../test/helpers/database';
import type { BenchRow, BenchScenario } from './types';

/**
 * Taking a task slot (activities/tasks/claims.ts claimTask: one Prisma interactive transaction with the
 * per-member advisory lock, the checks — task open, not claimed before, active limit — the conditional
 * UPDATE of the task's slot counter and the claim insert) against the least a correct claim can do in plain
 * `pg`: BEGIN; conditional UPDATE of the counter; INSERT; COMMIT. 8 concurrent clients, each claim by a new
 * member: spread over 50 unlimited tasks, then all on one task with max_claims = 300 (contention on one row),
 * where exactly 100 must succeed. The workflow around it (Temporal) is not measured here.
 */

const SECONDS = Number(process.env.BENCH_TASKS_SECONDS ?? 3);
const CLIENTS = 8;
const TASKS = 50;
const LIMITED = 100;
const GUILD = '100000000000000001';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

interface Run {
  perSecond: number;
  p50: number;
  p99: number;
  ok: number;
  refused: number;
}

let seq = 0;
/** CLIENTS loops calling `op` for `ms` (or until `stop()` says so); each call gets a fresh member id. */
async function drive(ms: number, op: (userId: string) => Promise<boolean>, stop: () => boolean = () => false): Promise<Run> {
  const latencies: number[] = [];
  let ok = 0;
  let refused = 0;
  const start = performance.now();
  const until = start + ms;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until && !stop()) {
        seq += 1;
        const userId = String(300000000000000000n + BigInt(seq));
        const t0 = performance.now();
        if (await op(userId)) ok += 1;
        else refused += 1;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { perSecond: (latencies.length / elapsed) * 1000, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), ok, refused };
}

export const tasksScenario: BenchScenario = {
  name: 'tasks',
  description: `task slots taken by claimTask vs a raw pg conditional UPDATE + INSERT, ${CLIENTS} clients, ${SECONDS} s each; then ${CLIENTS} clients on one task of ${LIMITED} slots`,
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

      const ours = (taskId: () => number) => async (userId: string) =>
        (await claimTask(prisma, { claimId: `task:${taskId()}:${userId}`, guildId: GUILD, taskId: taskId(), userId })).ok;
      const baseline = (taskId: () => number) => async (userId: string) => {
        const client = await raw.connect();
        try {
          const id = taskId();
          await client.query('BEGIN');
          const taken = await client.query('UPDATE bench_tasks SET slots = slots + 1 WHERE id = $1 AND (max_claims IS NULL OR slots < max_claims) RETURNING slots', [id]);
          if (taken.rowCount) await client.query('INSERT INTO bench_claims VALUES ($1, $2)', [id, userId]);
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
      await drive(300, ours(randomTask));
      await drive(300, baseline(randomRaw));
      const spreadOurs = await drive(SECONDS * 1000, ours(randomTask));
      const spreadRaw = await drive(SECONDS * 1000, baseline(randomRaw));

      const limited = await prisma.task.create({ data: { guildId: GUILD, name: 'Bench limited', reward: 1n, claimDurationSeconds: 3600, maxClaims: LIMITED, createdBy: 'bench' } });
      await raw.query('INSERT INTO bench_tasks (id, max_claims) VALUES (100000, $1)', [LIMITED]);
      const hotOurs = await drive(SECONDS * 1000, ours(() => limited.id), () => false);
      const hotRaw = await drive(SECONDS * 1000, baseline(() => 100000), () => false);
      const claimed = await prisma.taskClaim.count({ where: { taskId: limited.id } });
      const slots = (await prisma.task.findUniqueOrThrow({ where: { id: limited.id } })).slotsTaken;
      if (claimed !== LIMITED || slots !== LIMITED || hotOurs.ok !== LIMITED || hotOurs.refused === 0) {
        throw new Error(`max_claims broken under load: ${claimed} claims, ${slots} slots, ${hotOurs.ok} successes for ${LIMITED} slots`);
      }
      console.log(`one task of ${LIMITED} slots: exactly ${claimed} claims stored, slots_taken ${slots}; ${hotOurs.refused} claims refused as full (raw: ${hotRaw.ok} taken)`);
      const label = 'raw pg BEGIN/UPDATE…RETURNING/INSERT/COMMIT';
      return [
        { metric: `claims/s, ${CLIENTS} clients, ${TASKS} tasks`, unit: '/s', ours: spreadOurs.perSecond, baseline: spreadRaw.perSecond, baselineLabel: label },
        { metric: `p50 latency, ${CLIENTS} clients, ${TASKS} tasks`, unit: 'ms', ours: spreadOurs.p50, baseline: spreadRaw.p50, baselineLabel: label },
        { metric: `p99 latency, ${CLIENTS} clients, ${TASKS} tasks`, unit: 'ms', ours: spreadOurs.p99, baseline: spreadRaw.p99, baselineLabel: label },
        { metric: `attempts/s, ${CLIENTS} clients, one task (${LIMITED} slots, then full)`, unit: '/s', ours: hotOurs.perSecond, baseline: hotRaw.perSecond, baselineLabel: label },
        { metric: `p99 latency, one task`, unit: 'ms', ours: hotOurs.p99, baseline: hotRaw.p99, baselineLabel: label },
        { metric: `slots taken on the one task (must be ${LIMITED})`, unit: '', ours: hotOurs.ok, baseline: hotRaw.ok, baselineLabel: label },
      ];
    } finally {
      await prisma.$disconnect();
      await raw.end();
      await db.drop();
    }
  },
};
