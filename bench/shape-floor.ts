import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Worker, type NativeConnection } from '@temporalio/worker';
import { shapeGo, shapeGoUpdate, shapeReady, type shapeFlow, type FlowShape } from './workflows/shape';

/**
 * The floor of a flow's shape on a server: the bare shape workflow (bench/workflows/shape.ts) on a worker
 * of its own, driven as the real entry point drives the flow — started, update-with-start, or (already
 * running and past its first workflow task) signalled or updated — timed from that call to the result.
 */
export interface ShapeFloor {
  /** One timed run of `shape`, in ms. */
  once(shape: FlowShape): Promise<number>;
  stop(): Promise<void>;
}

export async function startShapeFloor(nativeConnection: NativeConnection, client: Client): Promise<ShapeFloor> {
  const taskQueue = `bench-shape-${randomUUID()}`;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows/shape'), logger: new DefaultLogger('WARN') });
  const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle, activities: { benchNoop: async (i: number) => i } });
  const running = worker.run();
  const options = (shape: FlowShape) => ({ taskQueue, workflowId: `shape:${randomUUID()}`, args: [shape] as [FlowShape] });
  return {
    async once(shape) {
      if (shape.trigger === 'start') {
        const t0 = performance.now();
        await client.workflow.execute<typeof shapeFlow>('shapeFlow', options(shape));
        return performance.now() - t0;
      }
      if (shape.trigger === 'update-with-start') {
        const startWorkflowOperation = new WithStartWorkflowOperation<typeof shapeFlow>('shapeFlow', { ...options(shape), workflowIdConflictPolicy: 'USE_EXISTING' });
        const t0 = performance.now();
        await client.workflow.executeUpdateWithStart(shapeGoUpdate, { startWorkflowOperation });
        return performance.now() - t0;
      }
      const handle = await client.workflow.start<typeof shapeFlow>('shapeFlow', options(shape));
      await handle.query(shapeReady); // past its first workflow task, as a waiting flow is
      const t0 = performance.now();
      if (shape.trigger === 'signal') {
        await handle.signal(shapeGo);
        await handle.result();
      } else {
        await handle.executeUpdate(shapeGoUpdate);
      }
      return performance.now() - t0;
    },
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}
