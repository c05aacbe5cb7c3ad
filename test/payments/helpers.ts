import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { REST } from 'discord.js';
import { createApp } from '../../api/app';
import { createActivities, type Activities } from '../../activities';
import { closeDiscordRest } from '../../lib/discord/rest';
import { createLedger, systemAccount, userAccount, type Ledger } from '../../activities/ledger';
import { createCodeKeyring, type CodeKeyring } from '../../lib/crypto/codes';
import { createLogger, type Logger } from '../../lib/logger';
import { createMidtransProvider, MIDTRANS_WEBHOOK_PATH } from '../../lib/payments';
import type { PrismaClient } from '../../prisma/client';
import { topupFlow, type TopupInput } from '../../lib/flows/payments';
import type { topup } from '../../workflows/topup';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { startFakeMidtrans, type FakeMidtrans, type FakeMidtransOptions } from '../fakes/midtrans';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { bundleWorkflows, testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/**
 * Worker-level payment tests: the real workflows/ bundle and activities (payments with the real Midtrans
 * client, ledger, Discord REST) against a test database, the fake Discord, the fake Midtrans and our own
 * API app serving the webhook, which the fake Midtrans notifies with real signed notifications.
 */
export const SERVER_KEY = 'SB-Mid-server-payments-test-key';

export interface PaymentsEnv {
  discord: FakeDiscord;
  midtrans: FakeMidtrans;
  demo: DemoGuild;
  db: TestDatabase;
  prisma: PrismaClient;
  ledger: Ledger;
  temporal: TestTemporal;
  taskQueue: string;
  /** Our API (the webhook is at {apiUrl}/webhooks/midtrans). */
  apiUrl: string;
  webhookUrl: string;
  /** The code stock's keys (the workers get them too). */
  keyring: CodeKeyring;
  /** Its AES-256 key (for a worker in another process). */
  codeKey: Buffer;
  /** Everything logged by the worker's activities and the API, as JSON lines. */
  logs: string[];
  /**
   * A worker on the env's task queue (or `taskQueue`), with the right server key unless told otherwise, running `workflowBundle` if given,
   * with the real activities or what `activities` makes of them (a test's wrapped one).
   */
  startWorker(opts?: { serverKey?: string; taskQueue?: string; workflowBundle?: WorkflowBundleWithSourceMap; activities?: (real: Activities) => Activities }): Promise<{ stop(): Promise<void> }>;
  close(): Promise<void>;
}

export async function startPaymentsEnv(opts: { midtrans?: Partial<FakeMidtransOptions> } = {}): Promise<PaymentsEnv> {
  const discord = await startFakeDiscord();
  const demo = seedDemoGuild(discord);
  const midtrans = await startFakeMidtrans({ serverKey: SERVER_KEY, retry: { maxAttempts: 3, backoffMs: [100] }, ...opts.midtrans });
  const db = await createTestDatabase();
  const temporal = await testTemporal();
  const rest = new REST({ api: discord.restUrl, retries: 0, timeout: 5000, rejectOnRateLimit: () => true }).setToken(discord.token);
  await db.prisma.guild.create({
    data: { id: demo.guild.id, name: demo.guild.name, ownerId: demo.owner.id, settings: { create: { adminLogChannelId: demo.channels.adminLog.id } } },
  });
  const logs: string[] = [];
  const log: Logger = createLogger({ level: 'debug', pretty: false }, { write: (line: string) => void logs.push(line) });
  const app = createApp({ prisma: db.prisma, log, readiness: [], temporal: temporal.client, midtransServerKey: SERVER_KEY });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const webhookUrl = `${apiUrl}${MIDTRANS_WEBHOOK_PATH}`;
  const taskQueue = uniqueTaskQueue('payments');
  const bundle = await bundleWorkflows(require.resolve('../../workflows'));
  const codeKey = randomBytes(32);
  const keyring = createCodeKeyring({ id: 'test-k1', key: codeKey });
  const workers = new Set<{ stop(): Promise<void> }>();
  return {
    discord,
    midtrans,
    demo,
    db,
    prisma: db.prisma,
    ledger: createLedger(db.prisma),
    temporal,
    taskQueue,
    apiUrl,
    webhookUrl,
    keyring,
    codeKey,
    logs,
    async startWorker(w = {}) {
      const provider = createMidtransProvider({ serverKey: w.serverKey ?? SERVER_KEY, apiUrl: midtrans.url });
      const worker = await Worker.create({
        connection: temporal.nativeConnection,
        namespace: temporal.namespace,
        taskQueue: w.taskQueue ?? taskQueue,
        workflowBundle: w.workflowBundle ?? bundle,
        activities: (w.activities ?? ((a: Activities) => a))(createActivities({ prisma: db.prisma, log, discord: rest, payments: { provider, notificationUrl: webhookUrl }, codes: keyring })),
      });
      const done = worker.run();
      const running = {
        async stop() {
          workers.delete(running);
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await done;
        },
      };
      workers.add(running);
      return running;
    },
    async close() {
      for (const w of [...workers]) await w.stop().catch(() => undefined);
      await new Promise((r) => server.close(r));
      server.closeAllConnections();
      await midtrans.close();
      closeDiscordRest(rest);
      await temporal.close();
      await db.drop();
      await discord.close();
    },
  };
}

let seq = 0;
export function newPaymentId(prefix = 'tp'): string {
  seq += 1;
  return `${prefix}-${process.pid}-${seq}-${Date.now() % 1_000_000}`;
}

export function newMember(env: Pick<PaymentsEnv, 'discord' | 'demo'>, name = 'payer'): string {
  const u = env.discord.createUser({ username: `${name}-${seq}` });
  env.discord.addMember(env.demo.guild.id, u.id);
  return u.id;
}

export async function startTopup(
  env: Pick<PaymentsEnv, 'temporal' | 'taskQueue' | 'demo'>,
  input: Partial<TopupInput> & Pick<TopupInput, 'userId'>,
): Promise<WorkflowHandle<typeof topup>> {
  const paymentId = input.paymentId ?? newPaymentId();
  return env.temporal.client.workflow.start<typeof topup>('topup', {
    taskQueue: env.taskQueue,
    workflowId: topupFlow.id(paymentId),
    args: [
      {
        paymentId,
        requestKey: `test:${paymentId}`,
        guildId: env.demo.guild.id,
        amount: '50000',
        expirySeconds: 60,
        pollSeconds: 60,
        lateSettlementSeconds: 60,
        reply: null,
        ...input,
      },
    ],
  });
}

export async function balanceOf(env: Pick<PaymentsEnv, 'ledger' | 'demo'>, userId: string): Promise<bigint> {
  return (await env.ledger.balance(env.demo.guild.id, userAccount(userId), 'currency')).balance;
}

export async function gatewayBalance(env: Pick<PaymentsEnv, 'ledger' | 'demo'>): Promise<bigint> {
  return (await env.ledger.balance(env.demo.guild.id, systemAccount('gateway'), 'currency')).balance;
}

/** Top-up entries of the ledger that name this payment, whatever their key (exactly one once it is paid). */
export async function creditEntries(prisma: PrismaClient, paymentId: string): Promise<number> {
  return prisma.journalEntry.count({ where: { type: 'topup', refs: { path: ['paymentId'], equals: paymentId } } });
}
