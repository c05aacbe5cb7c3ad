import { randomUUID } from 'node:crypto';
import { loadConfig, type WorkerSettings } from '../lib/config';
import { createLogger } from '../lib/logger';
import { startFlowBench, type FlowBench } from './flow-bench';
import { prepareOrders, type OrderDriver } from './order-driver';
import { ascending, driveClients, percentile } from './stats';
import type { BenchRow, BenchScenario } from './types';

/**
 * Worker settings chosen by measurement: code orders (the order benchmark's driver) at CLIENTS concurrent
 * clients on a worker built as production builds it. Each swept value of one setting (the others as
 * configured) runs as a pair beside the configured settings, back to back and in alternating order, so a
 * machine whose load drifts (other work on the 2 cores) moves both alike; a configured-vs-configured pair
 * and the spread of the configured runs give the noise a value must beat to count. Last, the values that
 * beat it, combined, against the configured settings.
 */
const SECONDS = Number(process.env.BENCH_WORKER_SETTINGS_SECONDS ?? 2);
const CLIENTS = Number(process.env.BENCH_WORKER_SETTINGS_CLIENTS ?? 8);
/** BENCH_WORKER_SETTINGS_WIDE=1: more values per setting and two pairs for the combined best (about 4× longer). */
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
      // One step down from the configured value each; the wide sweep goes both ways.
      WORKER_MAX_CACHED_WORKFLOWS: [0],
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: [4],
      WORKER_WORKFLOW_TASK_POLLERS: [2],
      WORKER_MAX_CONCURRENT_ACTIVITIES: [8],
      WORKER_ACTIVITY_TASK_POLLERS: [2],
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
    await driveClients(CLIENTS, 500, () => orders.orderOnce(taskQueue)); // warm-up: cache, pollers, connections
    const t0 = performance.now();
    const latencies = ascending(await driveClients(CLIENTS, SECONDS * 1000, () => orders.orderOnce(taskQueue)));
    return { perSecond: (latencies.length / (performance.now() - t0)) * 1000, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
  });
}

/** `settings` and the configured ones back to back, the order alternating from pair to pair. */
let pairs = 0;
async function pair(bench: FlowBench, orders: OrderDriver, configured: WorkerSettings, settings: WorkerSettings): Promise<{ ours: Measured; configured: Measured }> {
  pairs += 1;
  if (pairs % 2) {
    const c = await measure(bench, orders, configured);
    return { ours: await measure(bench, orders, settings), configured: c };
  }
  const ours = await measure(bench, orders, settings);
  return { ours, configured: await measure(bench, orders, configured) };
}

const MIN_NOISE = 0.05;

export const workerSettingsScenario: BenchScenario = {
  name: 'worker-settings',
  description: `orders/s and order p50 at ${CLIENTS} clients per worker setting value, paired with the configured settings, ${SECONDS}s each${WIDE ? ' (wide sweep)' : ''}`,
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: 'warn', pretty: false });
    const bench = await startFlowBench(log);
    try {
      const values = Object.values(SWEEP).flat().length;
      const orders = await prepareOrders(bench, { buyers: CLIENTS, capacity: Math.ceil((values + 3) * 2 * (SECONDS + 1) * 40) });
      const configured = loadConfig();
      const aa = await pair(bench, orders, configured, configured);
      const swept: { setting: keyof WorkerSettings; value: number; ratio: number; ours: Measured; configured: Measured }[] = [];
      for (const [setting, list] of Object.entries(SWEEP) as [keyof WorkerSettings, number[]][]) {
        for (const value of list) {
          const r = await pair(bench, orders, configured, variant(configured, setting, value));
          swept.push({ setting, value, ratio: r.ours.perSecond / r.configured.perSecond, ...r });
        }
      }
      // The noise a value must beat: the configured settings against themselves, or how much the configured
      // runs moved from pair to pair (their coefficient of variation), whichever is larger.
      const configuredRuns = [aa.ours, aa.configured, ...swept.map((r) => r.configured)].map((m) => m.perSecond);
      const mean = configuredRuns.reduce((a, b) => a + b, 0) / configuredRuns.length;
      const spread = Math.sqrt(configuredRuns.reduce((a, b) => a + (b - mean) ** 2, 0) / configuredRuns.length) / mean;
      const noise = Math.max(MIN_NOISE, Math.abs(aa.ours.perSecond / aa.configured.perSecond - 1), spread);
      // The best value of each setting that beat the noise, all together.
      let chosen: WorkerSettings = configured;
      for (const setting of Object.keys(SWEEP) as (keyof WorkerSettings)[]) {
        const best = swept.filter((r) => r.setting === setting && r.ratio > 1 + noise).sort((a, b) => b.ratio - a.ratio)[0];
        if (best) chosen = variant(chosen, setting, best.value);
      }
      const combined = [await pair(bench, orders, configured, chosen)];
      if (WIDE) combined.push(await pair(bench, orders, configured, chosen));
      await orders.check();

      const verdict = (ratio: number) => (Math.abs(ratio - 1) <= noise ? 'within noise' : ratio > 1 ? 'better' : 'worse');
      const row = (what: string, value: string, r: { ours: Measured; configured: Measured }) => {
        const ratio = r.ours.perSecond / r.configured.perSecond;
        return `| ${what} | ${value} | ${r.ours.perSecond.toFixed(1)} vs ${r.configured.perSecond.toFixed(1)} | ${Math.round(r.ours.p50)} vs ${Math.round(r.configured.p50)} ms | ${ratio.toFixed(2)}× (${verdict(ratio)}) |`;
      };
      const changed = (Object.keys(SWEEP) as (keyof WorkerSettings)[]).filter((k) => chosen[k] !== configured[k]).map((k) => `${k}=${chosen[k]}`);
      console.log(
        [
          `configured: ${JSON.stringify(configured, Object.keys(SWEEP))}`,
          `noise (configured vs itself, and the configured runs' spread): ±${(noise * 100).toFixed(0)}%`,
          '',
          '| setting | value | orders/s (value vs configured) | order p50 | throughput ratio |',
          '| --- | --- | --- | --- | --- |',
          row('(configured)', '—', aa),
          ...swept.map((r) => row(r.setting, String(r.value), r)),
          ...combined.map((r, i) => row(`combined best, pair ${i + 1}`, changed.join(', ') || '(none beat the noise)', r)),
          '',
        ].join('\n'),
      );
      const label = 'configured settings, measured beside it';
      return [
        { metric: 'configured vs itself: orders/s', unit: '/s', ours: aa.ours.perSecond, baseline: aa.configured.perSecond, baselineLabel: label },
        ...swept.flatMap((r) => [
          { metric: `${r.setting}=${r.value}: orders/s`, unit: '/s', ours: r.ours.perSecond, baseline: r.configured.perSecond, baselineLabel: label },
          { metric: `${r.setting}=${r.value}: order p50`, unit: 'ms', ours: r.ours.p50, baseline: r.configured.p50, baselineLabel: label },
        ]),
        ...combined.flatMap((r, i) => [
          { metric: `combined best (${changed.join(', ') || 'none'}) pair ${i + 1}: orders/s`, unit: '/s', ours: r.ours.perSecond, baseline: r.configured.perSecond, baselineLabel: label },
          { metric: `combined best pair ${i + 1}: order p50`, unit: 'ms', ours: r.ours.p50, baseline: r.configured.p50, baselineLabel: label },
        ]),
      ];
    } finally {
      await bench.close();
    }
  },
};
