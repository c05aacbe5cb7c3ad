import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import autocannon from 'autocannon';
import { createApiToken } from '../lib/api-tokens';
import { obtainTemporalCli } from '../lib/dev/temporal-cli';
import { startTemporalCluster } from '../lib/dev/temporal-cluster';
import { startTemporalDevServer } from '../lib/dev/temporal-dev-server';
import { createLogger } from '../lib/logger';
import { freePort } from '../lib/net';
import { waitFor } from '../lib/wait';
import { dropDatabases, testDatabaseServerUrl } from '../test/helpers/database';
import { prepareDeposits } from './deposit-driver';
import { startFlowBench, type FlowBench } from './flow-bench';
import { prepareOrders } from './order-driver';
import { driveClients as drive, percentile } from './stats';
import { startApiProcess, startProcess, waitForWorkers, type BenchProcess } from './processes';
import type { BenchRow, BenchScenario } from './types';
import { notification } from './webhooks';

/**
 * The production topology's figures on this machine. (1) Code orders end to end (bench/orders.ts's
 * driver) with 1, 2 and 4 `npm run worker` processes, on a Temporal cluster (the real server on
 * PostgreSQL, lib/dev/temporal-cluster.ts) against the in-memory dev server, CLIENTS concurrent clients.
 * (2) autocannon against `npm run api` processes: a read endpoint (a member's balances, token
 * checked) and the Midtrans webhook (signature checked, recorded durably) with 1 and 2 API processes,
 * against a bare Koa JSON endpoint in a process of its own. Everything shares the machine's cores with
 * the load generator: the ratios say where the design costs, the absolute numbers where the machine stops.
 */
const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 4);
const CLIENTS = Number(process.env.BENCH_SCALE_CLIENTS ?? 16);
const NODES = Number(process.env.BENCH_SCALE_NODES ?? 1);
const HTTP_SECONDS = Number(process.env.BENCH_SCALE_HTTP_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_SCALE_CONNECTIONS ?? 32);
const WORKER_COUNTS = [1, 2, 4] as const;
const SERVER_KEY = 'SB-Mid-server-scale';

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
}

/** Orders/s and latency with each number of worker processes, on one Temporal server. */
async function ordersByWorkers(bench: FlowBench, bundlePath: string): Promise<Map<number, Figures>> {
  const orders = await prepareOrders(bench, { buyers: CLIENTS, capacity: Math.ceil(WORKER_COUNTS.length * (SECONDS + 1) * 150) });
  const taskQueue = `bench-scale-${randomUUID()}`;
  const env = {
    DATABASE_URL: bench.databaseUrl,
    DATABASE_POOL_SIZE: '5',
    TEMPORAL_ADDRESS: bench.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    DISCORD_TOKEN: bench.discord.token,
    DISCORD_API_URL: bench.discord.restUrl,
    CODE_ENCRYPTION_KEY: bench.codeKey.toString('hex'),
    CODE_ENCRYPTION_KEY_ID: 'bench',
    LOG_LEVEL: 'warn',
  };
  const workers: BenchProcess[] = [];
  const figures = new Map<number, Figures>();
  try {
    for (const count of WORKER_COUNTS) {
      while (workers.length < count) workers.push(startProcess('npm', ['run', 'worker'], { ...env, TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}` }));
      await waitForWorkers(bench.client, taskQueue, count);
      await drive(CLIENTS, 1000, () => orders.orderOnce(taskQueue)); // warm-up: the new workers' caches
      const t0 = performance.now();
      const latencies = (await drive(CLIENTS, SECONDS * 1000, () => orders.orderOnce(taskQueue))).sort((a, b) => a - b);
      figures.set(count, { perSecond: (latencies.length / (performance.now() - t0)) * 1000, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) });
    }
    await orders.check();
    return figures;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/** autocannon against each URL at once (their connections split), summed requests/s and the worst p99. */
async function load(urls: string[], request: Omit<autocannon.Options, 'url'>): Promise<Figures> {
  const results = await Promise.all(
    urls.map((url) => autocannon({ url, connections: Math.max(1, Math.round(CONNECTIONS / urls.length)), duration: HTTP_SECONDS, ...request })),
  );
  for (const r of results) if (r.non2xx || r.errors) throw new Error(`${r.url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return {
    perSecond: results.reduce((sum, r) => sum + r.requests.average, 0),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

/**
 * The read endpoint, the webhook and signed game deposits (each a ledger credit through the deposit
 * workflow, on a worker in this process) through 1 and 2 API processes, and the bare endpoint. Deposits
 * stand for the ledger's rate through the API: the API's other ledger-moving call, admin adjustments, is
 * limited to one a second per person by design, so more processes cannot move it.
 */
async function apiFigures(bench: FlowBench) {
  const { token } = await createApiToken(bench.prisma, { guildId: bench.guildId, name: 'bench', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' });
  const deposits = await prepareDeposits(bench, { players: CONNECTIONS });
  const taskQueue = `bench-scale-deposits-${randomUUID()}`;
  const env = {
    DATABASE_URL: bench.databaseUrl,
    DATABASE_POOL_SIZE: '10',
    TEMPORAL_ADDRESS: bench.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    MIDTRANS_SERVER_KEY: SERVER_KEY,
    // The game's secret is stored sealed with the bench's key: the API opens it to check signatures.
    CODE_ENCRYPTION_KEY: bench.codeKey.toString('hex'),
    CODE_ENCRYPTION_KEY_ID: 'bench',
    // The game's request budget is a guard against a runaway server, not what is measured here.
    GAME_API_RATE_PER_SECOND: '10000',
    GAME_API_RATE_BURST: '100000',
    LOG_LEVEL: 'warn',
  };
  const ports = [await freePort(), await freePort(), await freePort()];
  const started: BenchProcess[] = [];
  const worker = await bench.guildflowWorker(taskQueue);
  const running = worker.run();
  try {
    started.push(...(await Promise.all(ports.slice(0, 2).map(async (port) => startApiProcess(port, { ...env, TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}` })))));
    started.push(startProcess('node', ['--import', 'tsx', 'bench/bare-koa-server.ts', String(ports[2])], {}));
    const [one, two, bare] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string, string];
    const member = bench.demo.owner.id;
    const read = { headers: { authorization: `Bearer ${token}` } };
    const readPath = `/api/guilds/${bench.guildId}/ledger/members/${member}/balances`;
    // Every webhook request is a new transaction: autocannon asks for a body per request.
    const webhook = { method: 'POST' as const, headers: { 'content-type': 'application/json' }, requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, body: notification(SERVER_KEY) }) }] };
    const depositPath = '/roblox/v1/deposits';
    const deposit = {
      method: 'POST' as const,
      requests: [
        {
          setupRequest: (req: autocannon.Request) => {
            const body = deposits.depositBody();
            return { ...req, body, headers: deposits.signedHeaders(depositPath, body) };
          },
        },
      ],
    };
    await waitFor(async () => (await fetch(`${bare}/`)).ok, { timeoutMs: 60_000, intervalMs: 100, what: 'the bare Koa process' });
    await load([`${one}${readPath}`, `${two}${readPath}`], { ...read, duration: 1 }); // warm-up
    return {
      readOne: await load([`${one}${readPath}`], read),
      readBare: await load([`${bare}/`], {}),
      webhookOne: await load([`${one}/webhooks/midtrans`], webhook),
      webhookTwo: await load([`${one}/webhooks/midtrans`, `${two}/webhooks/midtrans`], webhook),
      webhookBare: await load([`${bare}/`], webhook),
      readTwo: await load([`${one}${readPath}`, `${two}${readPath}`], read),
      depositsOne: await load([`${one}${depositPath}`], deposit),
      depositsTwo: await load([`${one}${depositPath}`, `${two}${depositPath}`], deposit),
    };
  } finally {
    await Promise.all(started.map((p) => p.stop()));
    worker.shutdown();
    await running;
  }
}

export const scaleScenario: BenchScenario = {
  name: 'scale',
  description:
    `orders with ${WORKER_COUNTS.join('/')} worker processes on a ${NODES}-node Temporal cluster vs the dev server (${CLIENTS} clients, ${SECONDS}s each); ` +
    `autocannon (${CONNECTIONS} connections, ${HTTP_SECONDS}s) on a read endpoint, the webhook and signed deposits (ledger credits) through 1 and 2 API processes vs a bare Koa process`,
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: 'warn', pretty: false });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gf-scale-'));
    const suffix = `bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    const cleanup: (() => Promise<unknown>)[] = [() => fs.rm(dir, { recursive: true, force: true })];
    try {
      const bundlePath = path.join(dir, 'workflow-bundle.js');
      const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
      await fs.writeFile(bundlePath, code);

      const clusterStarted = performance.now();
      const cluster = await startTemporalCluster({ databaseUrl: testDatabaseServerUrl(), nodes: NODES, dataDir: dir, databaseSuffix: suffix, log });
      cleanup.push(() => dropDatabases(`temporal_${suffix}`, `temporal_visibility_${suffix}`), () => cluster.stop());
      const clusterStartMs = performance.now() - clusterStarted;
      const dev = await startTemporalDevServer({ cliPath: await obtainTemporalCli({ log }), port: await freePort(), ui: false, log });
      cleanup.push(() => dev.stop());

      const onCluster = await startFlowBench(log, { temporalAddress: cluster.address });
      cleanup.push(() => onCluster.close());
      const clusterOrders = await ordersByWorkers(onCluster, bundlePath);
      const onDev = await startFlowBench(log, { temporalAddress: dev.address });
      cleanup.push(() => onDev.close());
      const devOrders = await ordersByWorkers(onDev, bundlePath);
      const api = await apiFigures(onCluster);

      const devLabel = 'dev server (in memory), same workers';
      const rows: BenchRow[] = [{ metric: `cluster start (${NODES} node, schemas in place)`, unit: 'ms', ours: clusterStartMs, baseline: 0, baselineLabel: '—' }];
      for (const n of WORKER_COUNTS) {
        const c = clusterOrders.get(n)!;
        const d = devOrders.get(n)!;
        rows.push(
          { metric: `orders/s, ${n} worker process${n > 1 ? 'es' : ''}`, unit: '/s', ours: c.perSecond, baseline: d.perSecond, baselineLabel: devLabel },
          { metric: `order p50, ${n} worker${n > 1 ? 's' : ''}`, unit: 'ms', ours: c.p50, baseline: d.p50, baselineLabel: devLabel },
          { metric: `order p99, ${n} worker${n > 1 ? 's' : ''}`, unit: 'ms', ours: c.p99, baseline: d.p99, baselineLabel: devLabel },
        );
      }
      for (const n of [2, 4]) {
        rows.push({ metric: `cluster orders/s, ${n} workers vs 1`, unit: '/s', ours: clusterOrders.get(n)!.perSecond, baseline: clusterOrders.get(1)!.perSecond, baselineLabel: 'cluster, 1 worker' });
      }
      const bareLabel = 'bare Koa JSON process';
      rows.push(
        { metric: 'GET balances, 1 API process', unit: 'req/s', ours: api.readOne.perSecond, baseline: api.readBare.perSecond, baselineLabel: bareLabel },
        { metric: 'GET balances p99, 1 API', unit: 'ms', ours: api.readOne.p99, baseline: api.readBare.p99, baselineLabel: bareLabel },
        { metric: 'GET balances, 2 API vs 1', unit: 'req/s', ours: api.readTwo.perSecond, baseline: api.readOne.perSecond, baselineLabel: '1 API process' },
        { metric: 'webhook, 1 API process', unit: 'req/s', ours: api.webhookOne.perSecond, baseline: api.webhookBare.perSecond, baselineLabel: bareLabel },
        { metric: 'webhook p99, 1 API', unit: 'ms', ours: api.webhookOne.p99, baseline: api.webhookBare.p99, baselineLabel: bareLabel },
        { metric: 'webhook, 2 API vs 1', unit: 'req/s', ours: api.webhookTwo.perSecond, baseline: api.webhookOne.perSecond, baselineLabel: '1 API process' },
        { metric: 'webhook p99, 2 API vs 1', unit: 'ms', ours: api.webhookTwo.p99, baseline: api.webhookOne.p99, baselineLabel: '1 API process' },
        { metric: 'ledger credits (signed deposits), 1 API process', unit: 'req/s', ours: api.depositsOne.perSecond, baseline: api.webhookBare.perSecond, baselineLabel: bareLabel },
        { metric: 'ledger credits (signed deposits), 2 API vs 1', unit: 'req/s', ours: api.depositsTwo.perSecond, baseline: api.depositsOne.perSecond, baselineLabel: '1 API process' },
        { metric: 'deposit p99, 2 API vs 1', unit: 'ms', ours: api.depositsTwo.p99, baseline: api.depositsOne.p99, baselineLabel: '1 API process' },
      );
      return rows;
    } finally {
      for (const fn of cleanup.reverse()) await fn().catch((err: unknown) => log.warn({ err }, 'scale bench cleanup failed'));
    }
  },
};
