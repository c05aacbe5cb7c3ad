import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createApp } from '../api/app';
import { createLogger } from '../lib/logger';
import { prepareDeposits } from './deposit-driver';
import { startFlowBench } from './flow-bench';
import { driveClients, percentile } from './stats';
import type { BenchRow, BenchScenario } from './types';

/**
 * Roblox deposits through the signed game API: POST /roblox/v1/deposits — HMAC
 * check, nonce recorded in the database, the deposit:{id} workflow run to its end (record, check link and
 * pets, ledger credit, pet movements, receipt DM through the fake Discord) and its answer — against an
 * unsigned bare Koa endpoint that only parses the JSON, in the same run, CLIENTS concurrent clients,
 * alternating rounds. A third row isolates the signature layer: a signed heartbeat (HMAC + nonce INSERT +
 * one UPDATE) vs the same bare endpoint. Every deposit is a new trade; the run checks credited = answered.
 */
const SECONDS = Number(process.env.BENCH_DEPOSITS_SECONDS ?? 3);
const ROUNDS = 2;
const CLIENTS = Number(process.env.BENCH_DEPOSITS_CLIENTS ?? 8);


async function listen(app: Koa): Promise<{ url: string; server: Server }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const drive = (op: () => Promise<void>, ms: number) => driveClients(CLIENTS, ms, op);

export const depositsScenario: BenchScenario = {
  name: 'deposits',
  description: `signed Roblox deposits (POST /roblox/v1/deposits → deposit workflow → credited) vs an unsigned bare Koa JSON endpoint, ${CLIENTS} clients, ${ROUNDS}×${SECONDS}s each`,
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: 'warn', pretty: false });
    const quiet = createLogger({ level: 'silent', pretty: false });
    const bench = await startFlowBench(log);
    const { prisma, keyring, client, cleanup } = bench;
    try {
      const deposits = await prepareDeposits(bench, { players: CLIENTS });

      const taskQueue = `bench-deposits-${randomUUID()}`;
      const worker = await bench.guildflowWorker(taskQueue);
      const running = worker.run();
      cleanup.push(async () => {
        worker.shutdown();
        await running;
      });

      const ours = await listen(createApp({ prisma, log: quiet, readiness: [], temporal: client, taskQueue, codes: keyring }));
      const bareApp = new Koa();
      bareApp.use(async (ctx) => {
        const chunks: Buffer[] = [];
        for await (const c of ctx.req as AsyncIterable<Buffer>) chunks.push(c);
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { tradeId?: string };
        ctx.body = { status: 'credited', depositId: parsed.tradeId ?? null };
      });
      const bare = await listen(bareApp);
      cleanup.push(async () => {
        for (const s of [ours.server, bare.server]) {
          s.closeAllConnections();
          await new Promise((r) => s.close(r));
        }
      });

      let credited = 0;
      const signed = async (path: string, body: string) => {
        const res = await fetch(`${ours.url}${path}`, { method: 'POST', headers: deposits.signedHeaders(path, body), body });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${text}`);
      };
      const depositBody = () => deposits.depositBody();
      const deposit = async () => {
        await signed('/roblox/v1/deposits', depositBody());
        credited += 1;
      };
      const heartbeat = () => signed('/roblox/v1/heartbeat', JSON.stringify({ serverId: 'bench', players: [1, 2, 3] }));
      const bareOnce = async () => {
        const res = await fetch(bare.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: depositBody() });
        await res.arrayBuffer();
      };

      await drive(deposit, 500);
      await drive(bareOnce, 500);
      const all = { ours: [] as number[], bare: [] as number[], beat: [] as number[] };
      const time = { ours: 0, bare: 0, beat: 0 };
      for (let r = 0; r < ROUNDS; r++) {
        for (const [k, op] of [['ours', deposit], ['beat', heartbeat], ['bare', bareOnce]] as const) {
          const t0 = performance.now();
          all[k].push(...(await drive(op, SECONDS * 1000)));
          time[k] += performance.now() - t0;
        }
      }
      const rows = await prisma.gameDeposit.count({ where: { status: 'credited' } });
      if (rows !== credited) throw new Error(`${credited} deposits answered credited but ${rows} rows are credited`);
      const s = { ours: [...all.ours].sort((a, b) => a - b), bare: [...all.bare].sort((a, b) => a - b), beat: [...all.beat].sort((a, b) => a - b) };
      const rate = (k: keyof typeof all) => (all[k].length / time[k]) * 1000;
      const label = 'unsigned bare Koa endpoint parsing JSON';
      return [
        { metric: `deposits/s, signed + workflow (${CLIENTS} clients)`, unit: '/s', ours: rate('ours'), baseline: rate('bare'), baselineLabel: label },
        { metric: 'deposit latency p50', unit: 'ms', ours: percentile(s.ours, 0.5), baseline: percentile(s.bare, 0.5), baselineLabel: label },
        { metric: 'deposit latency p99', unit: 'ms', ours: percentile(s.ours, 0.99), baseline: percentile(s.bare, 0.99), baselineLabel: label },
        { metric: 'signed heartbeats/s (signature + nonce only)', unit: '/s', ours: rate('beat'), baseline: rate('bare'), baselineLabel: label },
      ];
    } finally {
      await bench.close();
    }
  },
};
