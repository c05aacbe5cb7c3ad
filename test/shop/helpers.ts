import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { REST } from 'discord.js';
import { createActivities } from '../../activities';
import { closeDiscordRest } from '../../lib/discord/rest';
import { createLedger, systemAccount, userAccount, type Ledger } from '../../activities/ledger';
import { addItem } from '../../activities/shop';
import type { ItemCreate } from '../../lib/requests/shop-item';
import { createLogger } from '../../lib/logger';
import type { PrismaClient, ShopItem } from '../../prisma/client';
import type { PurchaseInput } from '../../lib/flows/shop';
import type { purchase } from '../../workflows/purchase';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { bundleWorkflows, testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/**
 * Worker-level shop tests: the real workflows/ bundle and the real activities (ledger, shop, Discord
 * REST) against a test database, the run's Temporal server and the fake Discord — without the bot, so a
 * test can stop and start workers at will.
 */
export interface ShopEnv {
  discord: FakeDiscord;
  demo: DemoGuild;
  db: TestDatabase;
  prisma: PrismaClient;
  ledger: Ledger;
  temporal: TestTemporal;
  rest: REST;
  taskQueue: string;
  /** Starts a worker on the task queue (one per call; stop it with `stopWorker`). */
  startWorker(): Promise<RunningTestWorker>;
  close(): Promise<void>;
}

export interface RunningTestWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export const ADMIN_ACTOR = { actorType: 'user', actorId: 'discord:test-admin' } as const;

export async function startShopEnv(): Promise<ShopEnv> {
  const discord = await startFakeDiscord();
  const demo = seedDemoGuild(discord);
  const db = await createTestDatabase();
  const temporal = await testTemporal();
  const rest = new REST({ api: discord.restUrl, retries: 0, timeout: 5000, rejectOnRateLimit: () => true }).setToken(discord.token);
  await db.prisma.guild.create({
    data: { id: demo.guild.id, name: demo.guild.name, ownerId: demo.owner.id, settings: { create: { adminLogChannelId: demo.channels.adminLog.id } } },
  });
  const taskQueue = uniqueTaskQueue('shop');
  const bundle = await bundleWorkflows(require.resolve('../../workflows'));
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  const workers = new Set<RunningTestWorker>();
  return {
    discord,
    demo,
    db,
    prisma: db.prisma,
    ledger: createLedger(db.prisma),
    temporal,
    rest,
    taskQueue,
    async startWorker() {
      const worker = await Worker.create({
        connection: temporal.nativeConnection,
        namespace: temporal.namespace,
        taskQueue,
        workflowBundle: bundle,
        activities: createActivities({ prisma: db.prisma, log, discord: rest }),
      });
      const done = worker.run();
      const running: RunningTestWorker = {
        worker,
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
      closeDiscordRest(rest);
      await temporal.close();
      await db.drop();
      await discord.close();
    },
  };
}

let seq = 0;
/** A unique purchase id per test (snowflake-like, as the bot derives them from interaction ids). */
export function newPurchaseId(): string {
  seq += 1;
  return `9${String(process.pid).padStart(7, '0')}${String(seq).padStart(4, '0')}${String(Date.now() % 100000).padStart(5, '0')}`;
}

export async function fund(env: Pick<ShopEnv, 'ledger' | 'demo'>, userId: string, amount: bigint): Promise<void> {
  await env.ledger.transfer({
    guildId: env.demo.guild.id,
    key: `test-fund:${randomUUID()}`,
    type: 'admin_adjust',
    actor: { type: 'system', id: 'test' },
    asset: 'currency',
    from: systemAccount('issuance'),
    to: userAccount(userId),
    amount,
  });
}

export async function balance(env: Pick<ShopEnv, 'ledger' | 'demo'>, userId: string): Promise<{ balance: bigint; held: bigint; available: bigint }> {
  return env.ledger.balance(env.demo.guild.id, userAccount(userId), 'currency');
}

export async function sinkBalance(env: Pick<ShopEnv, 'ledger' | 'demo'>): Promise<bigint> {
  return (await env.ledger.balance(env.demo.guild.id, systemAccount('sink'), 'currency')).balance;
}

export function item(env: Pick<ShopEnv, 'prisma' | 'demo'>, input: Partial<ItemCreate> & { price: bigint | number }): Promise<ShopItem> {
  return addItem(env.prisma, env.demo.guild.id, { name: `Item ${randomUUID().slice(0, 8)}`, ...input }, ADMIN_ACTOR);
}

export async function startPurchase(
  env: Pick<ShopEnv, 'temporal' | 'taskQueue' | 'demo'>,
  input: Partial<PurchaseInput> & Pick<PurchaseInput, 'itemId' | 'userId'>,
): Promise<WorkflowHandle<typeof purchase>> {
  const purchaseId = input.purchaseId ?? newPurchaseId();
  return env.temporal.client.workflow.start<typeof purchase>('purchase', {
    taskQueue: env.taskQueue,
    workflowId: `purchase:${purchaseId}`,
    args: [{ purchaseId, requestKey: `test:${purchaseId}`, guildId: env.demo.guild.id, quantity: 1, memberRoleIds: [], ...input }],
  });
}

export async function inventoryOf(prisma: PrismaClient, guildId: string, userId: string, itemId: number): Promise<number> {
  const row = await prisma.inventoryItem.findUnique({ where: { guildId_ownerId_itemId: { guildId, ownerId: userId, itemId } } });
  return row?.quantity ?? 0;
}

export function memberHasRole(discord: FakeDiscord, guildId: string, userId: string, roleId: string): boolean {
  return discord.member(guildId, userId)?.roles.includes(roleId) ?? false;
}
