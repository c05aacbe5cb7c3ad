import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';

/**
 * Test-file access to the Temporal dev server that test/setup/global-setup.ts started for the run.
 * Real time runs on it (Temporal's time-skipping test server is not available here): workflows under
 * test take their durations from input so tests can use seconds.
 */

export interface TestTemporal {
  connection: Connection;
  nativeConnection: NativeConnection;
  client: Client;
  namespace: string;
  close(): Promise<void>;
}

export function testTemporalAddress(): string {
  const address = process.env.GF_TEST_TEMPORAL_ADDRESS?.trim();
  if (!address) {
    throw new Error('GF_TEST_TEMPORAL_ADDRESS is not set: run the tests through jest (its globalSetup starts a Temporal dev server) or point it at a running server.');
  }
  return address;
}

export function testTemporalCli(): string {
  const cli = process.env.GF_TEST_TEMPORAL_CLI?.trim();
  if (!cli) throw new Error('GF_TEST_TEMPORAL_CLI is not set: run the tests through jest (its globalSetup finds the Temporal CLI).');
  return cli;
}

/** One client connection and one worker connection per test file; `close()` them in afterAll. */
export async function testTemporal({ namespace = 'default' }: { namespace?: string } = {}): Promise<TestTemporal> {
  quietRuntime();
  const address = testTemporalAddress();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address }).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  return {
    connection,
    nativeConnection,
    client: new Client({ connection, namespace }),
    namespace,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** Task queues are per test so workers of parallel test files never take each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** Bundling costs ~1 s; done once per workflowsPath per test file. */
export function bundleWorkflows(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

export interface RunWorkerOptions {
  /** A unique queue when absent; `fn` receives the one used. */
  taskQueue?: string;
  /** Bundled once and reused (see bundleWorkflows). Give this or workflowBundle. */
  workflowsPath?: string;
  workflowBundle?: WorkflowBundleWithSourceMap;
  activities?: WorkerOptions['activities'];
  /** The worker's connection (e.g. testTemporal().nativeConnection); a fresh one, closed afterwards, when absent. */
  connection?: NativeConnection;
  namespace?: string;
  /** Anything else for Worker.create (interceptors, sinks, limits). */
  workerOptions?: Partial<WorkerOptions>;
}

/**
 * Runs `fn` while a worker polls the task queue, then shuts the worker down (Worker.runUntil), so a
 * test never leaves a polling worker behind.
 */
export async function runWorker<R>(options: RunWorkerOptions, fn: (ctx: { taskQueue: string }) => Promise<R>): Promise<R> {
  quietRuntime();
  const taskQueue = options.taskQueue ?? uniqueTaskQueue();
  const workflowBundle = options.workflowBundle ?? (options.workflowsPath ? await bundleWorkflows(options.workflowsPath) : undefined);
  const connection = options.connection ?? (await NativeConnection.connect({ address: testTemporalAddress() }));
  try {
    const worker = await Worker.create({
      connection,
      namespace: options.namespace ?? 'default',
      taskQueue,
      ...(workflowBundle ? { workflowBundle } : {}),
      activities: options.activities,
      ...options.workerOptions,
    });
    return await worker.runUntil(() => fn({ taskQueue }));
  } finally {
    if (!options.connection) await connection.close();
  }
}

/** The SDK logs every worker state change at INFO; tests only want warnings. Must precede any worker. */
export function quietRuntime(): void {
  if (Runtime._instance) return;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}
