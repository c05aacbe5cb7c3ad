import type { WorkflowExecutionStatusName } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIEmbed } from 'discord-api-types/v10';
import { REST } from 'discord.js';
import { createActivities } from '../../activities';
import { closeDiscordRest } from '../../lib/discord/rest';
import { updateVerifySettings, type VerifySettingsChange } from '../../activities/verify';
import { startBot, type RunningBot } from '../../bot/run';
import { createLogger } from '../../lib/logger';
import { createRobloxClient } from '../../lib/roblox/client';
import { waitFor } from '../../lib/wait';
import type { PrismaClient } from '../../prisma/client';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord, type InteractionHandle, type MessageRecord } from '../fakes/discord';
import { startFakeRoblox, type FakeRoblox } from '../fakes/roblox';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { bundleWorkflows, testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/**
 * Verification tests through the fakes: the production bot (startBot, the real registry) against the fake
 * Discord, the real worker (workflows/ bundle + activities with the production Roblox client) against the
 * fake Roblox, the run's Temporal server and a fresh database. The bot and the worker can each be stopped
 * and started again mid-flow.
 */
export interface VerifyEnv {
  discord: FakeDiscord;
  roblox: FakeRoblox;
  demo: DemoGuild;
  db: TestDatabase;
  prisma: PrismaClient;
  temporal: TestTemporal;
  taskQueue: string;
  guildId: string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  startBot(): Promise<void>;
  stopBot(): Promise<void>;
  settings(change: VerifySettingsChange): Promise<void>;
  waitForWorkflow(workflowId: string, status: WorkflowExecutionStatusName, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startVerifyEnv(opts: { bot?: boolean } = {}): Promise<VerifyEnv> {
  const discord = await startFakeDiscord();
  const demo = seedDemoGuild(discord);
  const roblox = await startFakeRoblox();
  const db = await createTestDatabase();
  const temporal = await testTemporal();
  const taskQueue = uniqueTaskQueue('verify');
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  const bundle = await bundleWorkflows(require.resolve('../../workflows'));
  const rest = new REST({ api: discord.restUrl, retries: 0, timeout: 5000, rejectOnRateLimit: () => true }).setToken(discord.token);
  const guildId = demo.guild.id;
  await db.prisma.guild.create({
    data: {
      id: guildId,
      name: demo.guild.name,
      ownerId: demo.owner.id,
      settings: {
        create: {
          adminRoleIds: [demo.roles.admin.id],
          adminLogChannelId: demo.channels.adminLog.id,
          verifiedRoleId: demo.roles.verified.id,
          unverifiedRoleId: demo.roles.unverified.id,
        },
      },
    },
  });
  let worker: { worker: Worker; done: Promise<void> } | null = null;
  let bot: RunningBot | null = null;
  const env: VerifyEnv = {
    discord,
    roblox,
    demo,
    db,
    prisma: db.prisma,
    temporal,
    taskQueue,
    guildId,
    async startWorker() {
      const w = await Worker.create({
        connection: temporal.nativeConnection,
        namespace: temporal.namespace,
        taskQueue,
        workflowBundle: bundle,
        activities: createActivities({ prisma: db.prisma, log, discord: rest, roblox: createRobloxClient({ usersApiUrl: roblox.url, groupsApiUrl: roblox.url, timeoutMs: 5000 }) }),
      });
      worker = { worker: w, done: w.run() };
    },
    async stopWorker() {
      if (!worker) return;
      const w = worker;
      worker = null;
      if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
      await w.done;
    },
    async startBot() {
      bot = await startBot({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.restUrl }, { prisma: db.prisma, temporal: temporal.client, taskQueue, log });
    },
    async stopBot() {
      await bot?.stop();
      bot = null;
    },
    async settings(change) {
      await updateVerifySettings(db.prisma, guildId, change, { actorType: 'system', actorId: 'test' });
    },
    async waitForWorkflow(workflowId, status, timeoutMs = 15_000) {
      await waitFor(
        async () => {
          const d = await temporal.client.workflow.getHandle(workflowId).describe();
          return d.status.name === status ? true : undefined;
        },
        { timeoutMs, intervalMs: 100, what: `workflow ${workflowId} to be ${status}` },
      );
    },
    async close() {
      await env.stopBot().catch(() => undefined);
      await env.stopWorker().catch(() => undefined);
      closeDiscordRest(rest);
      await temporal.close();
      await db.drop();
      await roblox.close();
      await discord.close();
    },
  };
  await env.startWorker();
  if (opts.bot !== false) await env.startBot();
  return env;
}

export const embedOf = (m: MessageRecord | undefined): APIEmbed => m?.embeds[0] ?? {};
export const buttonsOf = (m: MessageRecord | undefined) =>
  (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);

/** The phrase shown in a verification message. */
export function phraseOf(m: MessageRecord | undefined): string {
  const match = /```\n([a-z ]+)\n```/.exec(embedOf(m).description ?? '');
  if (!match) throw new Error(`no phrase in ${JSON.stringify(embedOf(m))}`);
  return match[1]!;
}

export function newMember(env: VerifyEnv, username: string, opts: { roles?: string[]; globalName?: string; nick?: string } = {}): string {
  const u = env.discord.createUser({ username, ...(opts.globalName ? { globalName: opts.globalName } : {}) });
  env.discord.addMember(env.guildId, u.id, { roles: opts.roles ?? [env.demo.roles.unverified.id], nick: opts.nick ?? null });
  return u.id;
}

/**
 * Waits until the interaction's message satisfies `pred` (the bot edits it after the ack). A rollback is a
 * dozen activities: under load (2 cores shared) it took more than 10 s, so the deadline is generous.
 */
export async function messageWhere(env: VerifyEnv, h: InteractionHandle, pred: (m: MessageRecord) => boolean, what: string): Promise<MessageRecord> {
  return env.discord.waitFor(() => {
    const m = h.original();
    return m && pred(m) ? m : undefined;
  }, 30_000, what);
}

/** /verify username → the phrase message (the bot's edit of its deferred reply). */
export async function slashVerify(env: VerifyEnv, userId: string, username: string) {
  const h = env.discord.slash(env.guildId, userId, 'verify', { username });
  const ack = await h.waitForResponse();
  const message = await messageWhere(env, h, (m) => (m.embeds[0]?.title ?? 'Verifying') !== 'Verifying…' && m.embeds.length > 0, 'the verification message');
  return { h, ack, message };
}

/** Clicks a button of `message` by label and waits for the message to change. */
export async function click(env: VerifyEnv, message: MessageRecord, label: string, userId: string) {
  const button = buttonsOf(message).find((b) => b.label === label);
  if (!button) throw new Error(`no ${label} button on ${JSON.stringify(message.embeds[0]?.title)}`);
  const before = JSON.stringify(env.discord.message(message.id)?.embeds);
  const h = env.discord.clickButton(message, button.custom_id, userId);
  const ack = await h.waitForResponse();
  return { h, ack, before };
}
