import { condition, defineQuery, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';

/**
 * Bench floor (bench/latency.ts): a bare workflow with the shape a real flow's history showed — the same
 * trigger and the same steps, batch by batch (a batch is what one workflow task scheduled), every step a
 * no-op. What it costs on a server is the least a flow of that shape can cost there.
 */
export type ShapeStep = { kind: 'activity' } | { kind: 'local' } | { kind: 'timer'; ms: number };

export interface FlowShape {
  /** How the flow is driven: started, started by an update (update-with-start), or woken by a signal or an update. */
  trigger: 'start' | 'update-with-start' | 'signal' | 'update';
  batches: ShapeStep[][];
}

export const shapeGo = defineSignal('shapeGo');
export const shapeGoUpdate = defineUpdate<void>('shapeGoUpdate');
export const shapeReady = defineQuery<boolean>('shapeReady');

const { benchNoop } = proxyActivities<{ benchNoop(i: number): Promise<number> }>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<{ benchNoop(i: number): Promise<number> }>({ startToCloseTimeout: '30 seconds' });

async function runBatch(batch: ShapeStep[]): Promise<void> {
  // Activities and timers of one batch were scheduled together, so they run side by side; local activities
  // run one after another inside the workflow task, as the SDK runs them.
  const remote = batch.map((step, i) => (step.kind === 'activity' ? benchNoop(i) : step.kind === 'timer' ? sleep(step.ms) : undefined));
  for (const [i, step] of batch.entries()) if (step.kind === 'local') await local.benchNoop(i);
  await Promise.all(remote);
}

async function runSteps(shape: FlowShape): Promise<void> {
  for (const batch of shape.batches) await runBatch(batch);
}

export async function shapeFlow(shape: FlowShape): Promise<void> {
  setHandler(shapeReady, () => true);
  if (shape.trigger === 'start') return runSteps(shape);
  let done = false;
  let go = false;
  setHandler(shapeGo, () => void (go = true));
  setHandler(shapeGoUpdate, async () => {
    await runSteps(shape);
    done = true;
  });
  if (shape.trigger === 'signal') {
    await condition(() => go);
    await runSteps(shape);
  } else {
    await condition(() => done);
  }
}
