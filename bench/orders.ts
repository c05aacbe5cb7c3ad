import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { createLogger } from '../lib/logger';
import { startFlowBench } from './flow-bench';
import { prepareOrders } from './order-driver';
import { driveClients, percentile } from './stats';
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

const drive = (ms: number, op: () => Promise<unknown>) => driveClients(CLIENTS, ms, op);

export const ordersScenario: BenchScenario = {
  name: 'orders',
  description: `order:{id} workflows vs a bare workflow with ${ORDER_ACTIVITIES} no-op activities, ${CLIENTS} concurrent clients, ${ROUNDS}×${SECONDS}s each`,
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: 'warn', pretty: false });
    const bench = await startFlowBench(log);
    const { nativeConnection, client, cleanup } = bench;
    try {
      // Enough stock and money for every order the rounds can make (~100/s at most here).
      const orders = await prepareOrders(bench, { buyers: CLIENTS, capacity: Math.ceil(ROUNDS * SECONDS * 150) });
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

      const orderOnce = () => orders.orderOnce(oursQueue);
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
      await orders.check();
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
