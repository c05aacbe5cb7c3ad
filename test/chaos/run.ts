/**
 * `npm run test:chaos`: the production topology under load and faults, then the guarantees checked.
 * Knobs (environment): CHAOS_SECONDS (workload and faults, default 180), CHAOS_SEED (replay a run's faults:
 * the same kinds, targets, durations and gaps; printed at the start), CHAOS_CLIENTS (concurrent clients, 6), CHAOS_WORKERS
 * (worker processes, 2), CHAOS_SHARDS (bot shards, 2), CHAOS_FAULT_GAP (seconds between faults, "2-6"),
 * CHAOS_SETTLE_SECONDS (how long flows get to come to rest, 120), CHAOS_LOG_DIR (keep every process's log
 * there), CHAOS_TEMPORAL (`cluster`: two server nodes on PostgreSQL, the default; `dev-server`: one dev
 * server on a SQLite file, quicker to start). Exits 1 and lists every violation when a guarantee is broken.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../lib/logger';
import { seededRandom } from '../../lib/roblox/phrase';
import { FAULT_KINDS, runFaults, type FaultKind } from './faults';
import { setUpGuild } from './guild';
import { checkInvariants } from './invariants';
import { OperationLog } from './operations';
import { settleFlows } from './settle';
import type { ChaosTemporalKind } from './temporal';
import { startTopology } from './topology';
import { runWorkload } from './workload';

const number = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0, got ${JSON.stringify(raw)}`);
  return value;
};

async function main(): Promise<number> {
  const seconds = number('CHAOS_SECONDS', 180);
  const seed = process.env.CHAOS_SEED || randomBytes(4).toString('hex');
  const [gapMin, gapMax] = (process.env.CHAOS_FAULT_GAP ?? '2-6').split('-').map(Number);
  if (!(gapMin! > 0 && gapMax! >= gapMin!)) throw new Error(`CHAOS_FAULT_GAP must be "min-max" seconds, got ${process.env.CHAOS_FAULT_GAP}`);
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', pretty: false });
  const started = Date.now();
  console.log(`chaos: seed ${seed} (CHAOS_SEED=${seed} replays it), ${seconds} s of workload and faults`);

  const topology = await startTopology({
    workers: number('CHAOS_WORKERS', 2),
    apis: 2,
    shards: number('CHAOS_SHARDS', 2),
    temporal: temporalKind(),
    log,
    env: {
      // Short timers so flows finish within the run: a dropped notification is found by the status poll.
      TOPUP_POLL_SECONDS: '3',
      TOPUP_EXPIRY_SECONDS: '60',
      TOPUP_LATE_SETTLEMENT_SECONDS: '30',
      GAME_API_RATE_PER_SECOND: '500',
      GAME_API_RATE_BURST: '1000',
    },
  });
  let failed = true;
  try {
    const guild = await setUpGuild(topology, { members: 8, newcomers: 30, stock: 15, codeStock: 20, tasks: 6 });
    console.log(`chaos: topology up in ${Math.round((Date.now() - started) / 1000)} s — Temporal ${topology.temporal.kind} (${topology.temporal.nodes} node(s)), ${topology.workers.length} workers, ${topology.apis.length} APIs, bot with ${topology.shardPids().length} shard process(es)`);

    const operations = new OperationLog();
    const faults: Record<string, number> = {};
    const until = Date.now() + seconds * 1000;
    const workloadStart = Date.now();
    await Promise.all([
      runWorkload(topology, guild, operations, { clients: number('CHAOS_CLIENTS', 6), until, random: seededRandom(`${seed}:workload`) }),
      runFaults(topology, {
        until,
        random: seededRandom(`${seed}:faults`),
        gapMs: [gapMin! * 1000, gapMax! * 1000],
        kinds: FAULT_KINDS,
        onFault(kind: FaultKind, detail: string) {
          faults[kind] = (faults[kind] ?? 0) + 1;
          log.info({ kind, detail }, 'chaos: fault');
        },
      }),
    ]);
    const workloadMs = Date.now() - workloadStart;

    // The faults are over: every process back up, then the flows get their time to come to rest.
    topology.discord.clearFaults();
    await Promise.all([...topology.workers, ...topology.apis, topology.bot].map((p) => p.ready()));
    await topology.midtrans.idle();
    const settled = await settleFlows(topology.temporalClient, { timeoutMs: number('CHAOS_SETTLE_SECONDS', 120) * 1000 });

    const keys = (kind: 'give' | 'adjust' | 'deposit') => operations.acknowledged(kind).map((o) => ({ kind, key: o.key }));
    const report = await checkInvariants(topology.db.prisma, {
      guildId: guild.guildId,
      ledgerKeys: [...keys('give'), ...keys('adjust'), ...keys('deposit')],
      dailyInteractions: operations.acknowledged('daily').map((o) => o.key),
      paidTopups: operations.acknowledged('topup').map((o) => o.key),
      purchases: [...operations.acknowledged('purchase'), ...operations.acknowledged('timedRole')].map((o) => o.key),
      withdrawals: operations.acknowledged('withdraw').map((o) => o.key),
      // What Discord shows each timed-role buyer now.
      timedRoles: operations.acknowledged('timedRole').map((o) => ({ purchaseId: o.key, hasRole: topology.discord.member(guild.guildId, o.detail!)?.roles.includes(guild.timedRoleItem.roleId) ?? false })),
      orders: operations.acknowledged('order').map((o) => o.key),
      taskAwards: operations.acknowledged('task').map((o) => {
        const [, taskId, userId] = o.key.split(':');
        return { taskId: Number(taskId), userId: userId!, reward: guild.tasks.find((t) => t.id === Number(taskId))!.reward };
      }),
      verifications: operations.acknowledged('verify').map((o) => {
        const [userId, robloxId] = o.detail!.split(':');
        return { userId: userId!, robloxId: Number(robloxId) };
      }),
      limitedItems: [{ id: guild.item.id, initialStock: guild.item.stock }],
    });
    // What Discord shows a verified member: @Verified on, @Unverified off.
    const roleViolations = operations.acknowledged('verify').flatMap((o) => {
      const roles = topology.discord.member(guild.guildId, o.detail!.split(':')[0]!)?.roles ?? [];
      const { verified, unverified } = topology.demo.roles;
      return roles.includes(verified.id) && !roles.includes(unverified.id) ? [] : [`verified member ${o.detail}: roles ${roles.join(',') || 'none'} (expected @Verified, not @Unverified)`];
    });
    const violations = [
      ...report.violations,
      ...roleViolations,
      ...settled.stuck.map((s) => `stuck flow: ${s}`),
      ...operations
        .all()
        .filter((o) => (o.firstApplications ?? 0) > 1)
        .map((o) => `${o.kind} ${o.key}: ${o.firstApplications} answers said they applied it (one must, the others replay or refuse)`),
    ];

    const restarts = Object.fromEntries([...topology.workers, ...topology.apis, topology.bot].map((p) => [p.name, p.restarts()]));
    console.log(
      JSON.stringify(
        {
          seed,
          workloadSeconds: Math.round(workloadMs / 1000),
          operations: operations.counts(),
          refusals: countBy(operations.all().filter((o) => o.outcome !== 'acknowledged').map((o) => `${o.kind}: ${o.detail ?? o.outcome}`)),
          // How the game handled each acknowledged withdrawal, and what the API answered it.
          withdrawals: countBy(operations.acknowledged('withdraw').map((o) => o.detail ?? '')),
          faults,
          processRestarts: restarts,
          retries: { activityAttempts: settled.activityRetries, workflowTasks: settled.workflowTaskRetries },
          flows: settled.flows,
          settleSeconds: Math.round(settled.waitedMs / 1000),
          invariantChecks: report.checks,
          violations: violations.length,
          totalSeconds: Math.round((Date.now() - started) / 1000),
        },
        null,
        2,
      ),
    );
    if (violations.length) {
      console.error(`chaos: ${violations.length} violation(s) (seed ${seed}):\n${violations.map((v) => `  - ${v}`).join('\n')}`);
      return 1;
    }
    console.log(`chaos: every guarantee held (seed ${seed})`);
    failed = false;
    return 0;
  } finally {
    const processes = [...topology.workers, ...topology.apis, topology.bot];
    const logDir = process.env.CHAOS_LOG_DIR;
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      for (const p of processes) writeFileSync(path.join(logDir, `${p.name}.log`), p.output());
    } else if (failed) {
      for (const p of processes) log.warn({ process: p.name, output: p.output().slice(-4000) }, 'chaos: process output (CHAOS_LOG_DIR=dir keeps all of it)');
    }
    await topology.stop();
  }
}

function temporalKind(): ChaosTemporalKind {
  const kind = process.env.CHAOS_TEMPORAL ?? 'cluster';
  if (kind !== 'cluster' && kind !== 'dev-server') throw new Error(`CHAOS_TEMPORAL must be cluster or dev-server, got ${JSON.stringify(kind)}`);
  return kind;
}

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('chaos: the run could not complete:', err);
    process.exit(1);
  },
);
