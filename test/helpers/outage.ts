import { Worker } from '@temporalio/worker';
import { REST } from 'discord.js';
import { createActivities, type Activities } from '../../activities';
import type { ActivityDeps } from '../../activities/deps';
import { closeDiscordRest } from '../../lib/discord/rest';
import { createLogger } from '../../lib/logger';
import { createMidtransProvider } from '../../lib/payments';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { SERVER_KEY, type PaymentsEnv } from '../payments/helpers';
import type { FakeDiscord } from '../fakes/discord';
import { bundleWorkflows, type TestTemporal } from './temporal';
import { startTcpProxy, type TcpProxy } from './tcp-proxy';

/**
 * A worker whose every database connection goes through a TCP proxy the test can cut, with a hook that
 * cuts it right after a chosen activity committed — before its reply reaches Temporal, the worst moment
 * for a saga: the step happened, the flow does not know it, and every retry meets a dead database.
 */
export interface OutageWorker {
  /** The worker's own client, through the proxy (the test's assertions use the env's direct one). */
  prisma: PrismaClient;
  /** The worker's activities, unwrapped. */
  activities: Activities;
  proxy: TcpProxy;
  /**
   * Arms a cut: the next call of `activity` (for which `when(input)` holds) runs, commits, then the
   * database goes away for `downMs` and the call fails as a lost reply would. Resolves once it is back.
   */
  cutAfter(activity: keyof Activities, opts: { downMs: number; when?: (input: unknown) => boolean }): Promise<DatabaseCut>;
  stop(): Promise<void>;
}

export interface DatabaseCut {
  activity: string;
  cutAt: number;
  restoredAt: number;
}

interface ArmedCut {
  downMs: number;
  when: (input: unknown) => boolean;
  done: (o: DatabaseCut) => void;
  failed: (err: unknown) => void;
}

/** What a worker needs besides its database: the env's fakes, Temporal and queue. */
export interface OutageWorkerOptions {
  /** The test database (the worker reaches it through the proxy). */
  dbUrl: string;
  discord: FakeDiscord;
  temporal: TestTemporal;
  taskQueue: string;
  /** More of the production activities' dependencies (payments, code keys). */
  deps?: Pick<ActivityDeps, 'payments' | 'codes'>;
}

/** The payments env's worker: payments through the fake Midtrans, the code shop's keys. */
export function paymentsWorkerOptions(env: PaymentsEnv): OutageWorkerOptions {
  return {
    dbUrl: env.db.url,
    discord: env.discord,
    temporal: env.temporal,
    taskQueue: env.taskQueue,
    deps: { payments: { provider: createMidtransProvider({ serverKey: SERVER_KEY, apiUrl: env.midtrans.url }), notificationUrl: env.webhookUrl }, codes: env.keyring },
  };
}

export async function startOutageWorker(options: OutageWorkerOptions): Promise<OutageWorker> {
  const target = new URL(options.dbUrl);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(options.dbUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  const prisma = createPrismaClient(proxied.toString(), { poolSize: 4 });
  const rest = new REST({ api: options.discord.restUrl, retries: 0, timeout: 5000, rejectOnRateLimit: () => true }).setToken(options.discord.token);
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  // The production composition, as the worker process builds it.
  const real = createActivities({ prisma, log, discord: rest, ...options.deps });

  const armed = new Map<string, ArmedCut>();
  const activities: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(real as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)) {
    activities[name] = async (...args: unknown[]) => {
      const result = await fn(...args);
      const cut = armed.get(name);
      if (cut && cut.when(args[0])) {
        armed.delete(name);
        await proxy.cut();
        const cutAt = Date.now();
        setTimeout(() => {
          proxy.restore().then(() => cut.done({ activity: name, cutAt, restoredAt: Date.now() }), cut.failed);
        }, cut.downMs);
        throw new Error(`the database connection was lost before ${name}'s reply arrived`);
      }
      return result;
    };
  }

  const worker = await Worker.create({
    connection: options.temporal.nativeConnection,
    namespace: options.temporal.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: await bundleWorkflows(require.resolve('../../workflows')),
    activities,
  });
  const running = worker.run();
  return {
    prisma,
    activities: real,
    proxy,
    cutAfter(activity, opts) {
      return new Promise<DatabaseCut>((done, failed) => armed.set(activity, { downMs: opts.downMs, when: opts.when ?? (() => true), done, failed }));
    },
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await proxy.close();
      await prisma.$disconnect();
      closeDiscordRest(rest);
    },
  };
}
