import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';
import { createGuildflowWorker } from '../../workers/worker';
import { bundleWorkflows, testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import type { echo } from '../workflows/echo';

const root = path.resolve(__dirname, '../..');

describe('the Guildflow worker', () => {
  let temporal: TestTemporal;
  const dir = mkdtempSync(path.join(tmpdir(), 'gf-bundle-'));
  beforeAll(async () => {
    temporal = await testTemporal();
  });
  afterAll(async () => {
    await temporal?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('`npm run build:workflows` writes a bundle of workflows/', async () => {
    const out = path.join(dir, 'workflow-bundle.js');
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build-workflow-bundle.ts', out], { cwd: root });
    expect(statSync(out).size).toBeGreaterThan(100_000);
    expect(readFileSync(out, 'utf8')).toContain('workflows/index.ts');
  });

  it('runs workflows from a prebuilt bundle when WORKFLOW_BUNDLE_PATH is set', async () => {
    const { code } = await bundleWorkflows(require.resolve('../workflows/echo'));
    const bundlePath = path.join(dir, 'echo-bundle.js');
    writeFileSync(bundlePath, code);
    const taskQueue = uniqueTaskQueue('bundle');
    const worker = await createGuildflowWorker(
      temporal.nativeConnection,
      { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE_PATH: bundlePath },
      { prisma: {} as PrismaClient, log: createLogger({ level: 'silent' }) },
    );
    const result = await worker.runUntil(async () => {
      const handle = await temporal.client.workflow.start<typeof echo>('echo', {
        taskQueue,
        workflowId: `bundle-${taskQueue}`,
        args: [{ message: 'from the bundle', replyTimeout: '50 ms' }],
      });
      return handle.result();
    });
    expect(result).toEqual({ outcome: 'timed-out', text: 'from the bundle' });
  });
});
