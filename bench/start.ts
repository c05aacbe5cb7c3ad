import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { obtainTemporalCli } from '../lib/dev/temporal-cli';
import { startTemporalDevServer } from '../lib/dev/temporal-dev-server';
import { createLogger } from '../lib/logger';
import { freePort, waitForPort } from '../lib/net';
import { startGuildflow } from '../test/helpers/guildflow-process';
import { descendants } from '../test/helpers/processes';
import type { BenchRow, BenchScenario } from './types';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Idle time after /ready before memory is read, then samples a second apart (the median is kept: GC makes single readings jump). */
const IDLE_MS = 10_000;
const SAMPLES = 5;

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0; // the process ended between listing and reading
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

type Part = 'guildflow' | 'temporal' | 'postgres' | 'other';

/** Which part of the stack a process under `npm start` is (PostgreSQL is its server and every backend it forked). */
function partOf(cmd: string): Part {
  if (cmd.includes('scripts/start.ts')) return 'guildflow';
  if (cmd.includes('temporal') && cmd.includes('start-dev')) return 'temporal';
  if (cmd.includes(path.join('native', 'bin', 'postgres')) || cmd.startsWith('postgres:')) return 'postgres';
  return 'other';
}

/** RSS per part of everything `npm start` (pid `root`) runs, the npm process itself aside. */
async function idleMemory(root: number): Promise<Record<Part | 'npm', number>> {
  await delay(IDLE_MS);
  const samples: Record<Part | 'npm', number>[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const sample = { guildflow: 0, temporal: 0, postgres: 0, other: 0, npm: rssMiB(root) };
    for (const p of descendants(root)) sample[partOf(p.cmd)] += rssMiB(p.pid);
    samples.push(sample);
    await delay(1_000);
  }
  const keys = ['guildflow', 'temporal', 'postgres', 'other', 'npm'] as const;
  return Object.fromEntries(keys.map((k) => [k, median(samples.map((s) => s[k]))])) as Record<Part | 'npm', number>;
}

/**
 * `npm start` → /ready: cold (a fresh DATA_DIR: the database cluster is created, every migration applied,
 * the workflow code bundled) and warm (a restart on that data, as a developer sees daily), and the
 * memory of each part at idle after the warm start. Baselines: the Temporal dev server alone, a bare Koa
 * process. The Temporal CLI is built beforehand (its one-time build is not part of either figure).
 */
export const startScenario: BenchScenario = {
  name: 'start',
  description: 'time from `npm start` to GET /ready (cold and warm) and the memory of each process at idle',
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: 'warn' });
    const temporalCli = await obtainTemporalCli({ cliPath: process.env.TEMPORAL_CLI, log });
    const ours: { coldMs: number; warmMs: number; memory: Record<Part | 'npm', number> }[] = [];
    const base: { readyMs: number; rss: number }[] = [];

    for (let i = 0; i < RUNS; i++) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'gf-bench-start-'));
      try {
        const cold = await startGuildflow(dataDir, { temporalCli });
        process.kill(-cold.child.pid!, 'SIGINT');
        await cold.exit;
        const warm = await startGuildflow(dataDir, { temporalCli });
        const memory = await idleMemory(warm.child.pid!);
        ours.push({ coldMs: cold.readyMs, warmMs: warm.readyMs, memory });
        process.kill(-warm.child.pid!, 'SIGINT');
        await warm.exit;
        console.log(`run ${i + 1}: cold ${cold.readyMs} ms, warm ${warm.readyMs} ms, RSS ${JSON.stringify(Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, Math.round(v)])))} MiB`);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }

      const dbFile = path.join(mkdtempSync(path.join(tmpdir(), 'gf-bench-temporal-')), 'temporal.db');
      const t0 = performance.now();
      const server = await startTemporalDevServer({ cliPath: temporalCli, port: await freePort(), uiPort: await freePort(), dbFile, log });
      const readyMs = performance.now() - t0;
      await delay(IDLE_MS);
      base.push({ readyMs, rss: rssMiB(server.pid) });
      await server.stop();
      rmSync(path.dirname(dbFile), { recursive: true, force: true });
    }

    const koaRss = await bareKoaRss();
    const mem = (k: Part | 'npm') => median(ours.map((o) => o.memory[k]));
    const total = median(ours.map((o) => o.memory.guildflow + o.memory.temporal + o.memory.postgres + o.memory.other));
    const temporalAlone = median(base.map((b) => b.rss));
    return [
      { metric: 'npm start → /ready (warm: a restart)', unit: 'ms', ours: median(ours.map((o) => o.warmMs)), baseline: median(base.map((b) => b.readyMs)), baselineLabel: 'Temporal dev server alone → ready' },
      { metric: 'npm start → /ready (cold: fresh data)', unit: 'ms', ours: median(ours.map((o) => o.coldMs)), baseline: median(base.map((b) => b.readyMs)), baselineLabel: 'Temporal dev server alone → ready' },
      { metric: 'RSS of the Guildflow process at idle', unit: 'MiB', ours: mem('guildflow'), baseline: koaRss, baselineLabel: 'bare Node + Koa hello at idle' },
      { metric: 'RSS of the Temporal dev server at idle', unit: 'MiB', ours: mem('temporal'), baseline: temporalAlone, baselineLabel: 'Temporal dev server alone at idle' },
      { metric: 'RSS of PostgreSQL (server + backends) at idle', unit: 'MiB', ours: mem('postgres'), baseline: temporalAlone, baselineLabel: 'Temporal dev server alone at idle' },
      { metric: 'RSS of anything else npm start runs', unit: 'MiB', ours: mem('other'), baseline: temporalAlone, baselineLabel: 'Temporal dev server alone at idle' },
      { metric: 'RSS of everything npm start runs', unit: 'MiB', ours: total, baseline: temporalAlone, baselineLabel: 'Temporal dev server alone at idle' },
      { metric: 'RSS of the npm process itself (not counted above)', unit: 'MiB', ours: mem('npm'), baseline: koaRss, baselineLabel: 'bare Node + Koa hello at idle' },
    ];
  },
};

async function bareKoaRss(): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', `const Koa=require('koa');const a=new Koa();a.use(c=>{c.body='ok'});a.listen(${port},'127.0.0.1')`], {
    cwd: path.resolve(__dirname, '..'),
    stdio: 'ignore',
  });
  try {
    await waitForPort(port);
    await delay(IDLE_MS);
    return rssMiB(child.pid!);
  } finally {
    child.kill();
  }
}
