import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { Client as DiscordClient, Events, GatewayIntentBits, REST } from 'discord.js';
import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIEmbed } from 'discord-api-types/v10';
import { createDiscordActivities } from '../../activities/discord';
import { closeDiscordRest } from '../../lib/discord/rest';
import { createLedger, createLedgerActivities, userAccount, type Ledger } from '../../activities/ledger';
import { createTaskActivities } from '../../activities/tasks';
import { routeInteraction } from '../../bot/router';
import { taskCommands, taskComponents } from '../../bot/commands/tasks';
import { createLogger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import type { PrismaClient, Task, TaskClaim } from '../../prisma/client';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord, type InteractionHandle, type MessageRecord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { bundleWorkflows, testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/**
 * The task system end to end, with the worker under the test's control: the fake Discord, a test database,
 * the run's Temporal server, a worker running workflows/task.ts with the real activities (ledger, Discord
 * REST, tasks), and the bot's real router with the task commands — so a test can stop and start the worker
 * (or run two) while members and admins click.
 */
export interface TasksEnv {
  discord: FakeDiscord;
  demo: DemoGuild;
  guildId: string;
  db: TestDatabase;
  prisma: PrismaClient;
  ledger: Ledger;
  temporal: TestTemporal;
  taskQueue: string;
  reviewChannelId: string;
  startWorker(opts?: { activities?: (a: Record<string, unknown>) => Record<string, unknown> }): Promise<RunningTestWorker>;
  close(): Promise<void>;
}

export interface RunningTestWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export async function startTasksEnv(): Promise<TasksEnv> {
  const discord = await startFakeDiscord();
  const demo = seedDemoGuild(discord);
  const guildId = demo.guild.id;
  const db = await createTestDatabase();
  const temporal = await testTemporal();
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  const rest = new REST({ api: discord.restUrl, retries: 0, timeout: 5000, rejectOnRateLimit: () => true }).setToken(discord.token);
  const reviewChannelId = discord.createChannel(guildId, { name: 'task-review', type: 0 }).id;
  await db.prisma.guild.create({
    data: {
      id: guildId,
      name: demo.guild.name,
      ownerId: demo.owner.id,
      settings: { create: { adminRoleIds: [demo.roles.admin.id], modRoleIds: [demo.roles.mod.id], adminLogChannelId: demo.channels.adminLog.id } },
      taskSettings: { create: { taskChannelId: demo.channels.tasks.id, reviewChannelId, revokeWindowSeconds: 0 } },
    },
  });
  const taskQueue = uniqueTaskQueue('tasks');
  const bundle = await bundleWorkflows(require.resolve('../../workflows/task'));
  const workers = new Set<RunningTestWorker>();

  // The bot: the production router with the task commands, against the fake gateway.
  const bot = new DiscordClient({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers], rest: { api: discord.restUrl } });
  const deps = { prisma: db.prisma, temporal: temporal.client, taskQueue, log };
  bot.on(Events.InteractionCreate, (interaction) => {
    void routeInteraction(interaction, deps, { commands: taskCommands, components: taskComponents });
  });
  const ready = new Promise<void>((resolve) => bot.once(Events.ClientReady, () => resolve()));
  await bot.login(discord.token);
  await ready;
  await bot.application?.commands.set(taskCommands.map((c) => c.data));

  const baseActivities = () => {
    const discordActivities = createDiscordActivities({ prisma: db.prisma, log, discord: rest });
    return {
      ...createLedgerActivities({ prisma: db.prisma, log }),
      ...discordActivities,
      ...createTaskActivities({ prisma: db.prisma, log, discord: rest, discordActivities }),
    };
  };

  return {
    discord,
    demo,
    guildId,
    db,
    prisma: db.prisma,
    ledger: createLedger(db.prisma),
    temporal,
    taskQueue,
    reviewChannelId,
    async startWorker(opts = {}) {
      const base = baseActivities();
      const worker = await Worker.create({
        connection: temporal.nativeConnection,
        namespace: temporal.namespace,
        taskQueue,
        workflowBundle: bundle,
        activities: opts.activities ? opts.activities(base) : base,
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
      await bot.destroy();
      closeDiscordRest(rest);
      await temporal.close();
      await db.drop();
      await discord.close();
    },
  };
}

// ─── What people do and see ────────────────────────────────────────────────────────────────────────────

export const embedOf = (m: MessageRecord | undefined): APIEmbed => m?.embeds[0] ?? {};
export const buttonsOf = (m: MessageRecord | undefined) =>
  (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);
export const field = (m: MessageRecord | undefined, name: string): string | undefined => embedOf(m).fields?.find((f) => f.name === name)?.value;

/** The first response's text (content or the embed's title and description). */
export async function answer(h: InteractionHandle): Promise<string> {
  const r = await h.waitForResponse();
  const data = r.data as { content?: string; embeds?: APIEmbed[] } | undefined;
  if (r.type === 5) {
    // Deferred: the follow-up (editReply) carries the answer.
    const msg = await waitFor(
      () => {
        const m = h.original();
        return m && (m.embeds.length || m.content) ? m : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50, what: 'the deferred reply to be filled' },
    );
    return [msg.content, embedOf(msg).title, embedOf(msg).description].filter(Boolean).join('\n');
  }
  return [data?.content, data?.embeds?.[0]?.title, data?.embeds?.[0]?.description].filter(Boolean).join('\n');
}

let memberSeq = 0;
export function newMember(env: Pick<TasksEnv, 'discord' | 'guildId'>, name = 'member'): string {
  memberSeq += 1;
  const u = env.discord.createUser({ username: `${name}-${memberSeq}` });
  env.discord.addMember(env.guildId, u.id);
  return u.id;
}

export async function createTaskRow(env: Pick<TasksEnv, 'prisma' | 'guildId'>, data: Partial<Task> & { reward: bigint }): Promise<Task> {
  return env.prisma.task.create({
    data: { guildId: env.guildId, name: `Task ${randomUUID().slice(0, 8)}`, claimDurationSeconds: 600, createdBy: 'test', ...data },
  });
}

/** A member presses Claim on the task's post. */
export function clickClaim(env: Pick<TasksEnv, 'discord'>, task: Pick<Task, 'id' | 'messageId' | 'messageChannelId'>, userId: string): InteractionHandle {
  const message = env.discord.message(task.messageId!);
  if (!message) throw new Error(`task #${task.id} has no message`);
  return env.discord.clickButton(message, `gf:task-claim:${task.id}`, userId);
}

/** The task row once its post exists (posted by the message sync). */
export async function postedTask(env: Pick<TasksEnv, 'prisma'>, taskId: number): Promise<Task> {
  return waitFor(
    async () => {
      const t = await env.prisma.task.findUniqueOrThrow({ where: { id: taskId } });
      return t.messageId ? t : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50, what: `task #${taskId}'s post` },
  );
}

export async function claimRow(env: Pick<TasksEnv, 'prisma'>, taskId: number, userId: string): Promise<TaskClaim | null> {
  return env.prisma.taskClaim.findUnique({ where: { taskId_userId: { taskId, userId } } });
}

export async function waitForClaim(env: Pick<TasksEnv, 'prisma'>, taskId: number, userId: string, status: string, timeoutMs = 20_000): Promise<TaskClaim> {
  return waitFor(
    async () => {
      const c = await claimRow(env, taskId, userId);
      return c?.status === status ? c : undefined;
    },
    { timeoutMs, intervalMs: 50, what: `claim of task #${taskId} by ${userId} to be ${status}` },
  );
}

/** The latest review post of a claim. */
export async function reviewPost(env: Pick<TasksEnv, 'prisma' | 'discord'>, taskId: number, userId: string, submissions = 1): Promise<MessageRecord> {
  const claim = await waitFor(
    async () => {
      const c = await claimRow(env, taskId, userId);
      return c?.reviewMessageId && c.submissions >= submissions ? c : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50, what: 'the review post' },
  );
  const posted = await waitFor(
    async () => {
      const c = (await claimRow(env, taskId, userId))!;
      return c.reviewMessageId === claim.reviewMessageId ? env.discord.message(c.reviewMessageId!) : undefined;
    },
    { timeoutMs: 5000, intervalMs: 50, what: 'the review message' },
  );
  return posted;
}

export async function workflowStatus(env: Pick<TasksEnv, 'temporal'>, workflowId: string, status: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      const d = await env.temporal.client.workflow.getHandle(workflowId).describe();
      return d.status.name === status ? true : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `workflow ${workflowId} to be ${status}` },
  );
}

export async function balanceOf(env: Pick<TasksEnv, 'ledger' | 'guildId'>, userId: string, asset = 'currency'): Promise<bigint> {
  return (await env.ledger.balance(env.guildId, userAccount(userId), asset)).balance;
}

export function hasRole(env: Pick<TasksEnv, 'discord' | 'guildId'>, userId: string, roleId: string): boolean {
  return env.discord.member(env.guildId, userId)?.roles.includes(roleId) ?? false;
}
