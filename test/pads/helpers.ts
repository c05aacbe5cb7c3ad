import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { startBot, type RunningBot } from '../../bot/run';
import { createApiToken } from '../../lib/api-tokens';
import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { createLogger } from '../../lib/logger';
import type { MessageRecord } from '../fakes/discord';
import { startShopEnv, type RunningTestWorker, type ShopEnv } from '../shop/helpers';
import { endFlows, eventually } from '../sync/helpers';
import { answer, embedOf } from '../tasks/helpers';

/**
 * Pad sessions through the whole system: the production bot (its one registry) against the fake Discord,
 * a worker with the production workflows and activities that a test can restart, and the API over HTTP.
 * The demo guild has a sessions channel and a Host role with two hosts; its settings are made with
 * `/pad-settings` like an admin would.
 */
export interface PadsEnv extends ShopEnv {
  guildId: string;
  worker: RunningTestWorker;
  sessionsChannel: string;
  hostRole: string;
  hosts: [string, string];
  adminToken: string;
  modToken: string;
  /** `http://…/api/guilds/{guild}`, for requests `api` does not cover (downloads). */
  apiBase: string;
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> & { error?: { code: string; message: string } } }>;
  restartWorker(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPadsEnv(): Promise<PadsEnv> {
  const env = await startShopEnv();
  const guildId = env.demo.guild.id;
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  await env.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [env.demo.roles.admin.id], modRoleIds: [env.demo.roles.mod.id] } });
  let worker = await env.startWorker();
  const bot: RunningBot = await startBot({ DISCORD_API_URL: env.discord.restUrl, DISCORD_TOKEN: env.discord.token }, { prisma: env.prisma, temporal: env.temporal.client, taskQueue: env.taskQueue, log });
  const app = createApp({ prisma: env.prisma, log, readiness: [], temporal: env.temporal.client, taskQueue: env.taskQueue, guildDirectory: createGuildDirectory(env.rest) });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${guildId}`;
  const token = async (level: 'mod' | 'admin') => (await createApiToken(env.prisma, { guildId, name: level, level, createdBy: 'cli', creatorLevel: 'owner' })).token;
  const [adminToken, modToken] = [await token('admin'), await token('mod')];

  const sessionsChannel = env.discord.createChannel(guildId, { name: 'sessions', type: 0 }).id;
  const hostRole = env.discord.createRole(guildId, { name: 'Host' }).id;
  const hosts = ['host-a', 'host-b'].map((name) => {
    const u = env.discord.createUser({ username: name });
    env.discord.addMember(guildId, u.id, { roles: [hostRole] });
    return u.id;
  }) as [string, string];
  const configured = await answer(env.discord.slash(guildId, env.demo.admin.id, 'pad-settings', { pads: 4, channel: sessionsChannel, add_host_role: hostRole }));
  if (!configured.includes('Pad settings updated')) throw new Error(`/pad-settings answered: ${configured}`);

  return {
    ...env,
    guildId,
    get worker() {
      return worker;
    },
    sessionsChannel,
    hostRole,
    hosts,
    adminToken,
    modToken,
    apiBase: base,
    async api(method, path, body, bearer = adminToken) {
      const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${bearer}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : {} };
    },
    async restartWorker() {
      await worker.stop();
      worker = await env.startWorker();
    },
    async stop() {
      await new Promise((r) => server.close(r));
      await bot.stop();
      await endFlows(env);
      await env.close();
    },
  };
}

/** The session's post in the sessions channel, once the flow has recorded its id. */
export async function announcementOf(env: PadsEnv, pad: number): Promise<MessageRecord> {
  const row = await eventually(() => env.prisma.padSession.findFirst({ where: { guildId: env.guildId, pad, endedAt: null, announcementMessageId: { not: null } } }), `the announcement of pad ${pad}`);
  return env.discord.message(row.announcementMessageId!)!;
}

/** The pad's session row once it has ended. */
export function endedSession(env: PadsEnv, workflowRunId: string) {
  return eventually(() => env.prisma.padSession.findFirst({ where: { id: workflowRunId, endedAt: { not: null } } }), `session ${workflowRunId} to end`);
}

/** The run id of the pad's current (or last) flow. */
export async function runOf(env: PadsEnv, pad: number): Promise<string> {
  return (await env.temporal.client.workflow.getHandle(`pad:${env.guildId}:${pad}`).describe()).runId;
}

/** `/training start` or `/tryout start` as `userId`; the reply's text. */
export function start(env: PadsEnv, userId: string, type: 'training' | 'tryout', pad: number, description?: string) {
  return env.discord.slash(env.guildId, userId, type, { pad, ...(description ? { description } : {}) }, { subcommand: 'start' });
}

export { answer, embedOf };
