import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { ensurePackages } from '../activities/codes/packages';
import { importCodes } from '../activities/codes/stock';
import { createLedger, systemAccount, userAccount } from '../activities/ledger';
import { createLogger } from '../lib/logger';
import type { order } from '../workflows/order';
import { startFlowBench } from './flow-bench';
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
/**
 * Activities an order waits for one after another on its happy path: ordersCreate, ledgerHold,
 * ordersReserveCodes, ordersDeliver (ordersCheckLowStock runs beside it), ordersComplete (the charge and
 * the completion), ordersNotifyMember.
 */
const ORDER_ACTIVITIES = 6;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

async function drive(ms: number, op: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await op();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return latencies;
}

export const ordersScenario: BenchScenario = {
  name: 'orders',
  description: `order:{id} workflows vs a bare workflow with ${ORDER_ACTIVITIES} no-op activities, ${CLIENTS} concurrent clients, ${ROUNDS}×${SECONDS}s each`,
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: 'warn', pretty: false });
    const bench = await startFlowBench(log);
    const { prisma, discord, guildId, keyring, nativeConnection, client, cleanup } = bench;
    try {
      const pkg = (await ensurePackages(prisma, guildId)).find((p) => p.quantity === 1)!;
      // Enough stock and money for every order the rounds can make (~100/s at most here).
      const capacity = Math.ceil(ROUNDS * SECONDS * 150);
      for (let i = 0; i < capacity; i += 5000) {
        await importCodes(prisma, keyring, guildId, Array.from({ length: Math.min(5000, capacity - i) }, (_, j) => `BENCH-${randomUUID()}-${i + j}`).join('\n'));
      }
      const buyers = Array.from({ length: CLIENTS }, (_, i) => {
        const u = discord.createUser({ username: `bench-buyer-${i}` });
        discord.addMember(guildId, u.id);
        return u.id;
      });
      const ledger = createLedger(prisma);
      for (const u of buyers) {
        await ledger.transfer({ guildId, key: `bench-fund:${u}`, type: 'admin_adjust', actor: { type: 'system', id: 'bench' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(u), amount: pkg.price * BigInt(capacity) });
      }

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

      let n = 0;
      const orderOnce = async () => {
        n += 1;
        const orderId = `b${n}-${randomUUID().slice(0, 8)}`;
        const result = await client.workflow.execute<typeof order>('order', {
          taskQueue: oursQueue,
          workflowId: `order:${orderId}`,
          args: [{ orderId, requestKey: orderId, guildId, userId: buyers[n % buyers.length]!, packageId: pkg.id, reply: null, topupWaitSeconds: 60, fundsRetrySeconds: 30, deliveryTimeoutSeconds: 60, deliveryRetrySeconds: 1 }],
        });
        if (result.status !== 'completed') throw new Error(`order ${orderId} ended ${result.status}: ${result.failureReason}`);
      };
      const bareOnce = () => client.workflow.execute('noopChain', { taskQueue: bareQueue, workflowId: `bare:${randomUUID()}`, args: [ORDER_ACTIVITIES] });

      await drive(1000, orderOnce); // warm-up
      await drive(1000, bareOnce);
      const all = { ours: [] as number[], bare: [] as number[] };
      const time = { ours: 0, bare: 0 };
      for (let r = 0; r < ROUNDS; r++) {
        for (const [name, op] of [['ours', orderOnce], ['bare', bareOnce]] as const) {
          const t0 = performance.now();
          all[name].push(...(await drive(SECONDS * 1000, op)));
          time[name] += performance.now() - t0;
        }
      }
      // Every completed order delivered its code once; none sold twice.
      const delivered = await prisma.code.count({ where: { guildId, status: 'delivered' } });
      const completed = await prisma.codeOrder.count({ where: { guildId, status: 'completed' } });
      if (delivered !== completed) throw new Error(`${completed} completed orders but ${delivered} delivered codes`);
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
