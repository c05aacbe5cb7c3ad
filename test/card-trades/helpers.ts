import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { REST } from 'discord.js';
import { createActivities } from '../../activities';
import type { ActivityDeps } from '../../activities/deps';
import { closeDiscordRest } from '../../lib/discord/rest';
import type { CardEscrowActivities, CardTradeInput, CardTradeTerms } from '../../lib/flows/card-trades';
import { proposeTrade } from '../../lib/flows/card-trades.client';
import { createLogger } from '../../lib/logger';
import type { MailDeps } from '../../lib/mail';
import type { PrismaClient } from '../../prisma/client';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { bundleWorkflows, testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/**
 * Worker-level card trade tests: the real workflows/ bundle and activities against a test database, the
 * run's Temporal server and the fake Discord. Collection rows are inserted directly (the catalog is
 * another feature's). Escrow is an in-test stand-in (`StandInEscrow`), never production code.
 */
export interface TradeEnv {
  discord: FakeDiscord;
  demo: DemoGuild;
  db: TestDatabase;
  prisma: PrismaClient;
  temporal: TestTemporal;
  taskQueue: string;
  /** Starts a worker; `wrap` may replace activities (to force failures); `escrow` registers the stand-ins; `mail` turns email on. */
  startWorker(options?: { escrow?: CardEscrowActivities; mail?: MailDeps; wrap?: (a: Record<string, unknown>) => void }): Promise<{ stop(): Promise<void> }>;
  close(): Promise<void>;
}

export async function startTradeEnv(): Promise<TradeEnv> {
  const discord = await startFakeDiscord();
  const demo = seedDemoGuild(discord);
  const db = await createTestDatabase();
  const temporal = await testTemporal();
  const rest = new REST({ api: discord.restUrl, retries: 0, timeout: 5000, rejectOnRateLimit: () => true }).setToken(discord.token);
  await db.prisma.guild.create({
    data: { id: demo.guild.id, name: demo.guild.name, ownerId: demo.owner.id, settings: { create: { adminLogChannelId: demo.channels.adminLog.id } } },
  });
  const taskQueue = uniqueTaskQueue('card-trades');
  const bundle = await bundleWorkflows(require.resolve('../../workflows'));
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  const running = new Set<{ stop(): Promise<void> }>();
  return {
    discord,
    demo,
    db,
    prisma: db.prisma,
    temporal,
    taskQueue,
    async startWorker(options = {}) {
      const deps: ActivityDeps = { prisma: db.prisma, log, discord: rest, cardEscrow: options.escrow ?? null, mail: options.mail ?? null };
      const activities = createActivities(deps) as unknown as Record<string, unknown>;
      options.wrap?.(activities);
      const worker = await Worker.create({ connection: temporal.nativeConnection, namespace: temporal.namespace, taskQueue, workflowBundle: bundle, activities: activities as never });
      const done = worker.run();
      const handle = {
        async stop() {
          running.delete(handle);
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await done;
        },
      };
      running.add(handle);
      return handle;
    },
    async close() {
      for (const w of [...running]) await w.stop().catch(() => undefined);
      closeDiscordRest(rest);
      await temporal.close();
      await db.drop();
      await discord.close();
    },
  };
}

/** A member of the demo guild. */
export function newMember(env: TradeEnv, name: string): string {
  const u = env.discord.createUser({ username: `${name}-${randomUUID().slice(0, 6)}` });
  env.discord.addMember(env.demo.guild.id, u.id);
  return u.id;
}

/** Puts `quantity` copies of a fresh printing in the member's collection; returns the item id. */
export async function ownCard(env: TradeEnv, userId: string, quantity: number, name = `Card ${randomUUID().slice(0, 6)}`): Promise<string> {
  const printingId = randomUUID();
  await env.prisma.cardPrinting.create({
    data: { id: printingId, name, setCode: 'lea', setName: 'Alpha', collectorNumber: String(Math.floor(Math.random() * 1e6)), rarity: 'rare', finishes: ['nonfoil', 'foil'], fetchedAt: new Date() },
  });
  const item = await env.prisma.cardCollectionItem.create({ data: { userId, printingId, quantity, condition: 'NM', finish: 'foil', language: 'en' } });
  return item.id.toString();
}

export const itemOf = (env: TradeEnv, id: string) => env.prisma.cardCollectionItem.findUniqueOrThrow({ where: { id: BigInt(id) } });

let seq = 0;
function newProposalId(): string {
  seq += 1;
  return `8${String(process.pid).padStart(7, '0')}${String(seq).padStart(4, '0')}${String(Date.now() % 100000).padStart(5, '0')}`;
}

export function propose(
  env: TradeEnv,
  input: { proposerId: string; recipientId: string; terms: CardTradeTerms; proposalId?: string } & Partial<Omit<CardTradeInput, 'terms'>>,
) {
  const proposalId = input.proposalId ?? newProposalId();
  return proposeTrade(
    { temporal: env.temporal.client, taskQueue: env.taskQueue },
    { guildId: env.demo.guild.id, expirySeconds: 600, reminderSeconds: 0, patience: { stuckAfterSeconds: 2, retryEverySeconds: 1 }, ...input, proposalId },
  ).then((r) => ({ ...r, proposalId }));
}

/**
 * An in-test escrow: statuses the test sets, every call recorded. Only `check` says whether money is held,
 * as the contract asks of the real one.
 */
export class StandInEscrow implements CardEscrowActivities {
  status: 'pending' | 'held' | 'failed' | 'refunded' | 'released' = 'pending';
  calls: { name: string; input: unknown }[] = [];
  async cardsEscrowOpen(i: Parameters<CardEscrowActivities['cardsEscrowOpen']>[0]) {
    this.calls.push({ name: 'open', input: i });
    return { paymentIntentId: `pi_${i.proposalId}`, payUrl: `https://pay.example/${i.proposalId}` };
  }
  async cardsEscrowCheck(i: { proposalId: string }) {
    this.calls.push({ name: 'check', input: i });
    return { status: this.status };
  }
  async cardsEscrowRelease(i: { proposalId: string }) {
    this.calls.push({ name: 'release', input: i });
    this.status = 'released';
    return { transferId: `tr_${i.proposalId}` };
  }
  async cardsEscrowRefund(i: { proposalId: string; reason: string }) {
    this.calls.push({ name: 'refund', input: i });
    const paid = this.status === 'held';
    this.status = 'refunded';
    return { refundId: paid ? `re_${i.proposalId}` : null };
  }
  named(name: string) {
    return this.calls.filter((c) => c.name === name);
  }
}
