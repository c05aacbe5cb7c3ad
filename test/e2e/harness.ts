import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client, WorkflowExecutionStatusName } from '@temporalio/client';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import type { Registry } from '../../bot/router';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { freePort } from '../../lib/net';
import type { Stoppable } from '../../lib/process';
import { waitFor } from '../../lib/wait';
import type { PrismaClient } from '../../prisma/client';
import { startStack } from '../../scripts/stack';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { startFakeMidtrans, type FakeMidtrans } from '../fakes/midtrans';
import { startFakeRoblox, type FakeRoblox } from '../fakes/roblox';
import { fakeServicesEnv } from '../fakes/stack-env';
import { createTestDatabase } from '../helpers/database';
import { testTemporal, testTemporalAddress, uniqueTaskQueue } from '../helpers/temporal';

/**
 * End-to-end runner: Guildflow's worker, API and bot against the fakes of Discord, Roblox and Midtrans,
 * the run's Temporal server and a fresh database. `in-process` runs the same stack as `npm start` inside
 * the test (and can add test-only commands and workflows); `child-process` runs `scripts/start.ts` as its
 * own process, exactly as deployed.
 */
export interface E2EOptions {
  mode?: 'in-process' | 'child-process';
  /** In-process only: the bot's commands and component handlers (default: the registry). */
  registry?: Registry;
  /** In-process only: worker overrides (test-only workflows and activities), built once the fakes run. */
  worker?: (fakes: { discord: FakeDiscord; roblox: FakeRoblox; midtrans: FakeMidtrans }) => Partial<WorkerOptions>;
  logLevel?: string;
  /** Settings added to (or replacing) the harness's environment, e.g. TOPUP_EXPIRY_SECONDS; a function when they name a fake (its OAuth client). */
  env?: Record<string, string> | ((fakes: { discord: FakeDiscord }) => Record<string, string>);
  /** The Temporal server to run on (default: the test run's; a benchmark passes its own dev server). */
  temporalAddress?: string;
}

export interface E2E {
  discord: FakeDiscord;
  roblox: FakeRoblox;
  midtrans: FakeMidtrans;
  demo: DemoGuild;
  prisma: PrismaClient;
  temporal: Client;
  /** A worker connection to the same server (for workers a test or benchmark adds beside Guildflow's). */
  nativeConnection: NativeConnection;
  taskQueue: string;
  apiUrl: string;
  /** Waits until the workflow reaches `status` (polls describe), and returns its description. */
  waitForWorkflow(workflowId: string, status: WorkflowExecutionStatusName, timeoutMs?: number): Promise<{ status: WorkflowExecutionStatusName }>;
  /** The workflow's result (waits for it to finish). */
  workflowResult<T = unknown>(workflowId: string): Promise<T>;
  close(): Promise<void>;
}

const MIDTRANS_SERVER_KEY = 'SB-Mid-server-e2e-test-key';
/** The code stock's AES-256 key in e2e runs (32 bytes, base64). */
export const CODE_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

export async function startE2E(opts: E2EOptions = {}): Promise<E2E> {
  const cleanup: (() => Promise<unknown>)[] = [];
  // Everything is torn down even when a step fails; the first failure (e.g. an unclean exit) is reported.
  const close = async () => {
    const errors: unknown[] = [];
    for (const fn of cleanup.reverse()) await fn().catch((err: unknown) => errors.push(err));
    if (errors.length) throw errors[0];
  };
  try {
    const discord = await startFakeDiscord();
    cleanup.push(() => discord.close());
    const demo = seedDemoGuild(discord);
    const roblox = await startFakeRoblox();
    cleanup.push(() => roblox.close());
    const midtrans = await startFakeMidtrans({ serverKey: MIDTRANS_SERVER_KEY });
    cleanup.push(() => midtrans.close());
    const db = await createTestDatabase();
    cleanup.push(() => db.drop());
    const temporalAddress = opts.temporalAddress ?? testTemporalAddress();
    const temporal = await testTemporal({ address: temporalAddress });
    cleanup.push(() => temporal.close());

    const taskQueue = uniqueTaskQueue('e2e');
    const port = await freePort();
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: opts.logLevel ?? 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
      ...fakeServicesEnv({ discord, roblox, midtrans, midtransServerKey: MIDTRANS_SERVER_KEY, apiUrl: `http://127.0.0.1:${port}` }),
      CODE_ENCRYPTION_KEY,
      CODE_ENCRYPTION_KEY_ID: 'e2e',
      ...(typeof opts.env === 'function' ? opts.env({ discord }) : opts.env),
    };
    const apiUrl = `http://127.0.0.1:${port}`;

    if ((opts.mode ?? 'in-process') === 'in-process') {
      const started: Stoppable[] = [];
      cleanup.push(async () => {
        for (const part of [...started].reverse()) await part.stop();
      });
      const log = createLogger({ level: env.LOG_LEVEL, pretty: false });
      await startStack(
        { config: loadConfig(env), log, started },
        { registry: opts.registry, worker: opts.worker?.({ discord, roblox, midtrans }), installRuntime: false },
      );
    } else {
      if (opts.registry || opts.worker) throw new Error('test-only commands and workflows need mode: in-process');
      const child = startChild(env);
      cleanup.push(() => stopChild(child));
      await waitFor(async () => (await fetch(`${apiUrl}/ready`)).status === 200, {
        timeoutMs: 60_000,
        intervalMs: 200,
        what: `the Guildflow process at ${apiUrl}/ready`,
        signal: child.exited.signal,
      }).catch((err: Error) => {
        throw new Error(`${err.message}\n--- its output ---\n${child.output()}`);
      });
    }

    return {
      discord,
      roblox,
      midtrans,
      demo,
      prisma: db.prisma,
      temporal: temporal.client,
      nativeConnection: temporal.nativeConnection,
      taskQueue,
      apiUrl,
      async waitForWorkflow(workflowId, status, timeoutMs = 15_000) {
        return waitFor(
          async () => {
            const d = await temporal.client.workflow.getHandle(workflowId).describe();
            return d.status.name === status ? { status: d.status.name } : undefined;
          },
          { timeoutMs, intervalMs: 100, what: `workflow ${workflowId} to be ${status}` },
        );
      },
      workflowResult: <T>(workflowId: string) => temporal.client.workflow.getHandle(workflowId).result() as Promise<T>,
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

type GuildflowChild = ChildProcess & { exited: AbortController; output(): string };

function startChild(env: Record<string, string>): GuildflowChild {
  const root = path.resolve(__dirname, '../..');
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  const child = spawn(process.execPath, ['--require', './lib/dev/register-ts.cjs', 'scripts/start.ts'], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new AbortController();
  child.once('exit', (code, signal) => exited.abort(new Error(`Guildflow exited (${signal ?? `code ${code}`})\n${output}`)));
  return Object.assign(child, { exited, output: () => output });
}

async function stopChild(child: GuildflowChild): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const code = await exit;
  if (code !== 0) throw new Error(`Guildflow did not stop cleanly (exit ${code})\n${child.output()}`);
}
