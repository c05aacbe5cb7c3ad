import type { WorkflowHandle } from '@temporalio/client';
import { createLogger } from '../lib/logger';
import { waitFor } from '../lib/wait';
import { startE2E } from '../test/e2e/harness';
import { startBenchDevServer } from './flow-bench';
import { historyReaches, shapeFromHistory, type MeasuredShape } from './flow-shape';
import { latencyProbes } from './latency-flows';
import { startShapeFloor, type ShapeFloor } from './shape-floor';
import { ascending, percentile } from './stats';
import type { BenchRow, BenchScenario } from './types';
import type { FlowShape } from './workflows/shape';

/**
 * The latency model: each flow a member or a game server waits on, timed one at a time (latency, not
 * throughput) through the production stack on a dev server of its own started with Guildflow's flags,
 * beside its floor — a bare workflow of the same shape (read from the history of a measured run) driven the
 * same way on the same server. Target: p50 ≤ 1.5× the floor (and the deposit answer ≤ 150 ms).
 */
const RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 12);
const TARGET_RATIO = 1.5;

function quantiles(times: number[]): { p50: number; p99: number } {
  const sorted = ascending(times);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

async function floorP50(floor: ShapeFloor, shape: FlowShape): Promise<{ p50: number; p99: number }> {
  await floor.once(shape); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await floor.once(shape));
  return quantiles(times);
}

interface FlowResult {
  name: string;
  shape: MeasuredShape;
  floor: { p50: number; p99: number };
  ours: { p50: number; p99: number };
  maxP50Ms?: number;
}

/** The flow's history once a workflow task completed after `toMs`, so a task running at the condition is whole. */
async function historyPast(handle: WorkflowHandle, toMs: number) {
  let events: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events'] = [];
  await waitFor(async () => historyReaches((events = (await handle.fetchHistory()).events ?? []), toMs), { timeoutMs: 10_000, intervalMs: 50, what: 'the history past the condition' });
  return events ?? [];
}

const ms = (v: number) => `${Math.round(v)} ms`;

function markdownTable(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

function flowTable(results: FlowResult[]): string {
  return markdownTable(
    ['flow', 'workflow tasks', 'activities', 'local activities', 'signals/updates', 'floor p50', 'ours p50', 'ours p99', 'ours/floor', 'target', 'met?'],
    results.map((r) => {
      const ratio = r.ours.p50 / r.floor.p50;
      const met = ratio <= TARGET_RATIO && (r.maxP50Ms === undefined || r.ours.p50 <= r.maxP50Ms);
      return [
        r.name,
        String(r.shape.workflowTasks),
        String(r.shape.activities),
        String(r.shape.localActivities),
        `${r.shape.signals}/${r.shape.updates}`,
        ms(r.floor.p50),
        ms(r.ours.p50),
        ms(r.ours.p99),
        `${ratio.toFixed(2)}×`,
        `≤ ${TARGET_RATIO}×${r.maxP50Ms ? `, ≤ ${r.maxP50Ms} ms` : ''}`,
        met ? 'yes' : 'no',
      ];
    }),
  );
}

export const latencyScenario: BenchScenario = {
  name: 'latency',
  description: `each flow's latency (1 client, ${RUNS} runs) through the production stack vs a bare workflow of its shape on the same dev server`,
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: 'warn', pretty: false });
    const server = await startBenchDevServer(log);
    const e2e = await startE2E({ temporalAddress: server.address, logLevel: 'error' }).catch(async (err: unknown) => {
      await server.stop();
      throw err;
    });
    const floor = await startShapeFloor(e2e.nativeConnection, e2e.temporal);
    try {
      // What each step costs on this server, so a reader sees where a flow's floor comes from.
      const empty = await floorP50(floor, { trigger: 'start', batches: [] });
      const oneActivity = await floorP50(floor, { trigger: 'start', batches: [[{ kind: 'activity' }]] });
      const oneLocal = await floorP50(floor, { trigger: 'start', batches: [[{ kind: 'local' }]] });
      const update = await floorP50(floor, { trigger: 'update', batches: [] });
      console.log(
        `cost per step (p50): empty workflow start→result ${ms(empty.p50)}; +1 activity +${ms(oneActivity.p50 - empty.p50)}; ` +
          `+1 local activity +${ms(oneLocal.p50 - empty.p50)}; update round trip to a waiting workflow ${ms(update.p50)}`,
      );

      const results: FlowResult[] = [];
      for (const probe of latencyProbes) {
        const once = await probe.prepare(e2e, RUNS + 1);
        await once(); // warm-up
        // The shape from the first measured run; then the flow and its floor alternate, so a load that
        // drifts (other work on the machine) weighs on both alike.
        const first = await once();
        const shape = shapeFromHistory(await historyPast(e2e.temporal.workflow.getHandle(first.workflowId), first.toMs), first.fromMs, first.toMs);
        await floor.once(shape); // warm-up
        const ours = [first.ms];
        const bare: number[] = [];
        for (let i = 1; i < RUNS; i++) {
          ours.push((await once()).ms);
          bare.push(await floor.once(shape));
        }
        bare.push(await floor.once(shape));
        results.push({ name: probe.name, shape, floor: quantiles(bare), ours: quantiles(ours), maxP50Ms: probe.maxP50Ms });
        console.log(`${probe.name}: ${probe.timed}; shape ${shape.trigger}, ${JSON.stringify(shape.batches.map((b) => b.map((s) => s.kind)))}`);
      }
      console.log(`\n${flowTable(results)}\n`);
      const stepLabel = 'empty workflow start→result';
      return [
        { metric: 'step: +1 activity', unit: 'ms', ours: oneActivity.p50, baseline: empty.p50, baselineLabel: stepLabel },
        { metric: 'step: +1 local activity', unit: 'ms', ours: oneLocal.p50, baseline: empty.p50, baselineLabel: stepLabel },
        { metric: 'step: update round trip', unit: 'ms', ours: update.p50, baseline: empty.p50, baselineLabel: stepLabel },
        ...results.flatMap((r) => [
          { metric: `${r.name} p50`, unit: 'ms', ours: r.ours.p50, baseline: r.floor.p50, baselineLabel: `bare workflow of its shape (${r.shape.workflowTasks} wft, ${r.shape.activities} act, ${r.shape.localActivities} local)` },
          { metric: `${r.name} p99`, unit: 'ms', ours: r.ours.p99, baseline: r.floor.p99, baselineLabel: 'the same, p99' },
        ]),
      ];
    } finally {
      await floor.stop();
      await e2e.close();
      await server.stop();
    }
  },
};
