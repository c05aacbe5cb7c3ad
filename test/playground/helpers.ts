import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { freePort } from '../../lib/net';
import type { Stoppable } from '../../lib/process';
import { startPlayground, type Playground } from '../../scripts/playground-stack';
import { createTestDatabase } from '../helpers/database';
import { testTemporal, testTemporalAddress, uniqueTaskQueue } from '../helpers/temporal';

export interface TestPlayground {
  playground: Playground;
  temporal: Client;
  taskQueue: string;
  /** Runs scripts/playground-examples/<name>.ts as `npm run playground -- …` would; returns its result and what it printed. */
  runExample<T = unknown>(name: string): Promise<{ result: T; output: string }>;
  /** Workflows of this playground that ended as a Temporal failure (or timed out / were terminated). */
  brokenWorkflows(): Promise<{ workflowId: string; status: string }[]>;
  close(): Promise<void>;
}

/**
 * The playground exactly as `npm run playground` builds it (scripts/playground-stack.ts), on the test
 * run's Temporal server and a fresh database instead of the embedded ones.
 */
export async function startTestPlayground(): Promise<TestPlayground> {
  const started: Stoppable[] = [];
  const db = await createTestDatabase();
  const temporal = await testTemporal();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gf-playground-'));
  const taskQueue = uniqueTaskQueue('playground');
  const close = async () => {
    for (const part of [...started].reverse()) await part.stop();
    await temporal.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: testTemporalAddress(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    });
    const playground = await startPlayground({ config, log: createLogger({ level: 'warn', pretty: false }), started }, { installRuntime: false });
    return {
      playground,
      temporal: temporal.client,
      taskQueue,
      async runExample<T>(name: string) {
        const mod = (await import(path.join(__dirname, '../../scripts/playground-examples', `${name}.ts`))) as { default: (p: Playground) => Promise<T> };
        const lines: string[] = [];
        const spy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
        try {
          const result = await mod.default(playground);
          return { result, output: lines.join('\n') };
        } catch (err) {
          throw new Error(`${name} failed: ${(err as Error).message}\n--- what it printed ---\n${lines.join('\n')}`, { cause: err });
        } finally {
          spy.mockRestore();
        }
      },
      async brokenWorkflows() {
        const broken: { workflowId: string; status: string }[] = [];
        const query = `TaskQueue = "${taskQueue}" AND ExecutionStatus IN ("Failed", "TimedOut", "Terminated")`;
        for await (const wf of temporal.client.workflow.list({ query })) broken.push({ workflowId: wf.workflowId, status: wf.status.name });
        return broken;
      },
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
