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
const IDLE_MS = 10_000;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** `npm start` → /ready on a warm cache, and idle memory, against the Temporal dev server and a bare Koa process. */
export const startScenario: BenchScenario = {
  name: 'start',
  description: 'time from `npm start` to GET /ready (warm cache) and memory at idle',
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: 'warn' });
    const temporalCli = await obtainTemporalCli({ cliPath: process.env.TEMPORAL_CLI, log });
    const ours: { readyMs: number; mainRss: number; treeRss: number }[] = [];
    const base: { readyMs: number; rss: number }[] = [];

    for (let i = 0; i < RUNS; i++) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'gf-bench-start-'));
      try {
        // First start creates the data (migrations, SQLite); the measured one is a restart on warm data, as a developer sees daily.
        const warmup = await startGuildflow(dataDir, { temporalCli });
        process.kill(-warmup.child.pid!, 'SIGINT');
        await warmup.exit;
        const run = await startGuildflow(dataDir, { temporalCli });
        await delay(IDLE_MS);
        const tree = descendants(run.child.pid!);
        const main = tree.find((p) => p.cmd.includes('scripts/start.ts') && !p.cmd.startsWith('sh '));
        ours.push({
          readyMs: run.readyMs,
          mainRss: main ? rssMiB(main.pid) : NaN,
          treeRss: tree.reduce((sum, p) => sum + (rssMiB(p.pid) || 0), 0),
        });
        process.kill(-run.child.pid!, 'SIGINT');
        await run.exit;
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
    return [
      { metric: 'npm start → /ready (warm)', unit: 'ms', ours: median(ours.map((o) => o.readyMs)), baseline: median(base.map((b) => b.readyMs)), baselineLabel: 'Temporal dev server alone → ready' },
      { metric: 'RSS of the Guildflow process at idle', unit: 'MiB', ours: median(ours.map((o) => o.mainRss)), baseline: koaRss, baselineLabel: 'bare Node + Koa hello at idle' },
      { metric: 'RSS of everything npm start runs', unit: 'MiB', ours: median(ours.map((o) => o.treeRss)), baseline: median(base.map((b) => b.rss)), baselineLabel: 'Temporal dev server alone at idle' },
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
