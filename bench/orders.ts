import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { ensurePackages } from '../activities/codes/packages';
import { importCodes } from '../activities/codes/stock';
import { createLedger, systemAccount, userAccount } from '../activities/ledger';
import { createLogger } from '../lib/logger';
import type { order } from '../workflows/order';
import { startFlowBench, type FlowBench } from './flow-bench';
import type { BenchRow, BenchScenario } from './types';

/**
 * Code orders end to end on a Temporal dev server of their own: `order:{id}` workflows (order row, hold,
 * reserve with SKIP LOCKED, DM delivery through the fake Discord, post, status, receipt) started by
 * CLIENTS concurrent clients, each waiting for its result, against a bare workflow with the same number of
 * activities (no-ops) on the same server, worker settings and clients, in alternating rounds. The
 * target: our latency ≤ 2× the bare workflow's.
 */
const SECONDS = Number(process.env.BENCH_ORDERS_SECONDS ?? 4);
const ROUNDS = 3;
const CLIENTS = Number(process.env.BENCH_ORDERS_CLIENTS ?? 8);
/** Activities an order runs on its happy path (ordersCreate, ledgerHold, ordersReserveCodes, ordersCheckLowStock, ordersDeliver, ledgerPostHold, ordersSetStatus, ordersNotifyMember). */
const ORDER_ACTIVITIES = 8;

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** `clients` loops calling `op` for `ms`; each call's latency. */
export async function drive(clients: number, ms: number, op: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await op();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return latencies;
}

/**
 * Stock for `orders` code orders and `buyers` members with the money for them; returns a function that
 * runs one order on a task queue to its end (throws unless it completed).
 */
export async function prepareOrders(bench: FlowBench, { orders, buyers: count }: { orders: number; buyers: number }): Promise<(taskQueue: string) => Promise<void>> {
  const { prisma, discord, guildId, keyring, client } = bench;
  const pkg = (await ensurePackages(prisma, guildId)).find((p) => p.quantity === 1)!;
  for (let i = 0; i < orders; i += 5000) {
    await importCodes(prisma, keyring, guildId, Array.from({ length: Math.min(5000, orders - i) }, (_, j) => `BENCH-${randomUUID()}-${i + j}`).join('\n'));
  }
  const buyers = Array.from({ length: count }, (_, i) => {
    const u = discord.createUser({ username: `bench-buyer-${i}` });
    discord.addMember(guildId, u.id);
    return u.id;
  });
  const ledger = createLedger(prisma);
  for (const u of buyers) {
    await ledger.transfer({ guildId, key: `bench-fund:${u}`, type: 'admin_adjust', actor: { type: 'system', id: 'bench' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(u), amount: pkg.price * BigInt(orders) });
  }
  let n = 0;
  return async (taskQueue) => {
    n += 1;
    const orderId = `b${n}-${randomUUID().slice(0, 8)}`;
    const result = await client.workflow.execute<typeof order>('order', {
      taskQueue,
      workflowId: `order:${orderId}`,
      args: [{ orderId, requestKey: orderId, guildId, userId: buyers[n % buyers.length]!, packageId: pkg.id, reply: null, topupWaitSeconds: 60, fundsRetrySeconds: 30, deliveryTimeoutSeconds: 60, deliveryRetrySeconds: 1 }],
    });
    if (result.status !== 'completed') throw new Error(`order ${orderId} ended ${result.status}: ${result.failureReason}`);
  };
}

/** Every completed order delivered its code once; none sold twice. */
export async function checkOrders(bench: FlowBench): Promise<void> {
  const delivered = await bench.prisma.code.count({ where: { guildId: bench.guildId, status: 'delivered' } });
  const completed = await bench.prisma.codeOrder.count({ where: { guildId: bench.guildId, status: 'completed' } });
  if (delivered !== completed) throw new Error(`${completed} completed orders but ${delivered} delivered codes`);
}

export const ordersScenario: BenchScenario = {
  name: 'orders',
  description: `order:{id} workflows vs a bare workflow with ${ORDER_ACTIVITIES} no-op activities, ${CLIENTS} concurrent clients, ${ROUNDS}×${SECONDS}s each`,
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: 'warn', pretty: false });
    const bench = await startFlowBench(log);
    const { nativeConnection, client, cleanup } = bench;
    try {
      // Enough stock and money for every order the rounds can make (~100/s at most here).
      const orderOnce = await prepareOrders(bench, { orders: Math.ceil(ROUNDS * SECONDS * 150), buyers: CLIENTS });
      const oursQueue = `bench-orders-${randomUUID()}`;
      const bareQueue = `bench-bare-${randomUUID()}`;
      const ours = await bench.guildflowWorker(oursQueue);
      const bareBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows/noop'), logger: new DefaultLogger('WARN') });
      const bare = await Worker.create({ connection: nativeConnection, taskQueue: bareQueue, workflowBundle: bareBundle, activities: { benchNoop: async (i: number) => i } });
      const running = Promise.all([ours.run(), bare.run()]);
      cleanup.push(async () => {
        ours.shutdown();
        bare.shutdown();
        await running;
      });

      const bareOnce = () => client.workflow.execute('noopChain', { taskQueue: bareQueue, workflowId: `bare:${randomUUID()}`, args: [ORDER_ACTIVITIES] });

      const ordersOnce = () => orderOnce(oursQueue);
      await drive(CLIENTS, 1000, ordersOnce); // warm-up
      await drive(CLIENTS, 1000, bareOnce);
      const all = { ours: [] as number[], bare: [] as number[] };
      const time = { ours: 0, bare: 0 };
      for (let r = 0; r < ROUNDS; r++) {
        for (const [name, op] of [['ours', ordersOnce], ['bare', bareOnce]] as const) {
          const t0 = performance.now();
          all[name].push(...(await drive(CLIENTS, SECONDS * 1000, op)));
          time[name] += performance.now() - t0;
        }
      }
      await checkOrders(bench);
      const s = { ours: [...all.ours].sort((a, b) => a - b), bare: [...all.bare].sort((a, b) => a - b) };
      const label = `bare workflow, ${ORDER_ACTIVITIES} no-op activities`;
      return [
        { metric: `throughput (${CLIENTS} clients)`, unit: 'wf/s', ours: (all.ours.length / time.ours) * 1000, baseline: (all.bare.length / time.bare) * 1000, baselineLabel: label },
        { metric: 'latency p50', unit: 'ms', ours: percentile(s.ours, 0.5), baseline: percentile(s.bare, 0.5), baselineLabel: label },
        { metric: 'latency p99', unit: 'ms', ours: percentile(s.ours, 0.99), baseline: percentile(s.bare, 0.99), baselineLabel: label },
      ];
    } finally {
      await bench.close();
    }
  },
};
