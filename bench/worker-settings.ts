import { randomUUID } from 'node:crypto';
import { loadConfig, type WorkerSettings } from '../lib/config';
import { createLogger } from '../lib/logger';
import { startFlowBench, type FlowBench } from './flow-bench';
import { prepareOrders, type OrderDriver } from './order-driver';
import { ascending, driveClients, percentile } from './stats';
import type { BenchRow, BenchScenario } from './types';

/**
 * Worker settings chosen by measurement: code orders (the order benchmark's driver) at CLIENTS concurrent
 * clients on a worker built as production builds it, once with the configured settings and once per
 * swept value of one setting (the others as configured). The configured run is repeated at the end: the
 * spread between the two is the noise a swept value must beat to count as better.
 */
const SECONDS = Number(process.env.BENCH_WORKER_SETTINGS_SECONDS ?? 3);
const CLIENTS = Number(process.env.BENCH_WORKER_SETTINGS_CLIENTS ?? 8);
/** BENCH_WORKER_SETTINGS_WIDE=1: more values per setting (about 3× longer). */
const WIDE = process.env.BENCH_WORKER_SETTINGS_WIDE === '1';

const SWEEP: Record<keyof WorkerSettings, number[]> = WIDE
  ? {
      WORKER_MAX_CACHED_WORKFLOWS: [0, 10, 100, 5000],
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: [2, 4, 8, 16, 100],
      WORKER_WORKFLOW_TASK_POLLERS: [2, 4, 6, 20],
      WORKER_MAX_CONCURRENT_ACTIVITIES: [2, 4, 8, 16, 32, 200],
      WORKER_ACTIVITY_TASK_POLLERS: [1, 2, 4, 6, 20],
      WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: [8, 20, 200],
      WORKER_STICKY_QUEUE_TIMEOUT_MS: [200, 1000, 30_000],
    }
  : {
      WORKER_MAX_CACHED_WORKFLOWS: [0, 100],
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: [2, 8],
      WORKER_WORKFLOW_TASK_POLLERS: [2, 4],
      WORKER_MAX_CONCURRENT_ACTIVITIES: [4, 16],
      WORKER_ACTIVITY_TASK_POLLERS: [2, 4],
      WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: [8],
      WORKER_STICKY_QUEUE_TIMEOUT_MS: [1000],
    };

/** `base` with one setting changed, and the settings that may not exceed it lowered to fit (as the SDK requires). */
function variant(base: WorkerSettings, setting: keyof WorkerSettings, value: number): WorkerSettings {
  const s = { ...base, [setting]: value };
  if (s.WORKER_MAX_CACHED_WORKFLOWS > 0) s.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS = Math.min(s.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, Math.max(2, s.WORKER_MAX_CACHED_WORKFLOWS));
  s.WORKER_WORKFLOW_TASK_POLLERS = Math.min(s.WORKER_WORKFLOW_TASK_POLLERS, s.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS);
  s.WORKER_ACTIVITY_TASK_POLLERS = Math.min(s.WORKER_ACTIVITY_TASK_POLLERS, s.WORKER_MAX_CONCURRENT_ACTIVITIES);
  return s;
}

interface Measured {
  perSecond: number;
  p50: number;
  p99: number;
}

async function measure(bench: FlowBench, orders: OrderDriver, settings: WorkerSettings): Promise<Measured> {
  const taskQueue = `bench-settings-${randomUUID()}`;
  const worker = await bench.guildflowWorker(taskQueue, settings);
  return worker.runUntil(async () => {
    await driveClients(CLIENTS, 1000, () => orders.orderOnce(taskQueue)); // warm-up: cache, pollers, connections
    const t0 = performance.now();
    const latencies = ascending(await driveClients(CLIENTS, SECONDS * 1000, () => orders.orderOnce(taskQueue)));
    return { perSecond: (latencies.length / (performance.now() - t0)) * 1000, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
  });
}

export const workerSettingsScenario: BenchScenario = {
  name: 'worker-settings',
  description: `orders/s and order p50 at ${CLIENTS} clients per worker setting value, ${SECONDS}s each${WIDE ? ' (wide sweep)' : ''}`,
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: 'warn', pretty: false });
    const bench = await startFlowBench(log);
    try {
      const runs = 2 + Object.values(SWEEP).flat().length;
      const orders = await prepareOrders(bench, { buyers: CLIENTS, capacity: Math.ceil(runs * (SECONDS + 1) * 120) });
      const configured = loadConfig();
      const first = await measure(bench, orders, configured);
      const swept: { setting: keyof WorkerSettings; value: number; m: Measured }[] = [];
      for (const [setting, values] of Object.entries(SWEEP) as [keyof WorkerSettings, number[]][]) {
        for (const value of values) swept.push({ setting, value, m: await measure(bench, orders, variant(configured, setting, value)) });
      }
      const last = await measure(bench, orders, configured);
      await orders.check();

      const base = (first.perSecond + last.perSecond) / 2;
      const noise = Math.abs(first.perSecond - last.perSecond) / base;
      const lines = [
        `| setting | value | orders/s | p50 | p99 | vs configured |`,
        `| --- | --- | --- | --- | --- | --- |`,
        `| (configured, first / last run) | — | ${first.perSecond.toFixed(1)} / ${last.perSecond.toFixed(1)} | ${Math.round(first.p50)} / ${Math.round(last.p50)} ms | ${Math.round(first.p99)} / ${Math.round(last.p99)} ms | noise ${(noise * 100).toFixed(0)}% |`,
        ...swept.map(({ setting, value, m }) => {
          const ratio = m.perSecond / base;
          const verdict = Math.abs(ratio - 1) <= Math.max(noise, 0.05) ? 'within noise' : ratio > 1 ? 'better' : 'worse';
          return `| ${setting} | ${value} | ${m.perSecond.toFixed(1)} | ${Math.round(m.p50)} ms | ${Math.round(m.p99)} ms | ${ratio.toFixed(2)}× (${verdict}) |`;
        }),
      ];
      console.log(`configured: ${JSON.stringify(configured, Object.keys(SWEEP))}\n\n${lines.join('\n')}\n`);
      const label = 'configured settings (mean of first and last run)';
      return [
        { metric: 'configured: orders/s (first run)', unit: '/s', ours: first.perSecond, baseline: base, baselineLabel: label },
        { metric: 'configured: orders/s (last run)', unit: '/s', ours: last.perSecond, baseline: base, baselineLabel: label },
        ...swept.flatMap(({ setting, value, m }) => [
          { metric: `${setting}=${value}: orders/s`, unit: '/s', ours: m.perSecond, baseline: base, baselineLabel: label },
          { metric: `${setting}=${value}: order p50`, unit: 'ms', ours: m.p50, baseline: (first.p50 + last.p50) / 2, baselineLabel: label },
        ]),
      ];
    } finally {
      await bench.close();
    }
  },
};
