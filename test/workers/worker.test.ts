import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WORKER_SETTING_DEFAULTS } from '../../lib/config';
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
      { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE_PATH: bundlePath, ...WORKER_SETTING_DEFAULTS },
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

  it('runs with the configured slots, pollers, cache and sticky timeout', async () => {
    const { code } = await bundleWorkflows(require.resolve('../workflows/echo'));
    const bundlePath = path.join(dir, 'settings-bundle.js');
    writeFileSync(bundlePath, code);
    const settings = { WORKER_MAX_CACHED_WORKFLOWS: 64, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 6, WORKER_MAX_CONCURRENT_ACTIVITIES: 12, WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 7, WORKER_WORKFLOW_TASK_POLLERS: 3, WORKER_ACTIVITY_TASK_POLLERS: 5, WORKER_STICKY_QUEUE_TIMEOUT_MS: 2500 };
    const worker = await createGuildflowWorker(
      temporal.nativeConnection,
      { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: uniqueTaskQueue('settings'), WORKFLOW_BUNDLE_PATH: bundlePath, ...settings },
      { prisma: {} as PrismaClient, log: createLogger({ level: 'silent' }) },
    );
    await worker.runUntil(Promise.resolve());
    const { options } = worker;
    expect(options.maxCachedWorkflows).toBe(64);
    expect(options.stickyQueueScheduleToStartTimeoutMs).toBe(2500);
    expect(options.workflowTaskPollerBehavior).toEqual({ type: 'simple-maximum', maximum: 3 });
    expect(options.activityTaskPollerBehavior).toEqual({ type: 'simple-maximum', maximum: 5 });
    expect(options.tuner).toMatchObject({
      workflowTaskSlotSupplier: { type: 'fixed-size', numSlots: 6 },
      activityTaskSlotSupplier: { type: 'fixed-size', numSlots: 12 },
      localActivityTaskSlotSupplier: { type: 'fixed-size', numSlots: 7 },
    });
  });
});
