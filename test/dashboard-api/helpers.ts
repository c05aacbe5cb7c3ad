import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REST } from 'discord.js';
import { createApp } from '../../api/app';
import type { AppDeps } from '../../api/deps';
import { createLedger, type Ledger } from '../../activities/ledger';
import { createApiToken } from '../../lib/api-tokens';
import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { closeDiscordRest } from '../../lib/discord/rest';
import { createLogger } from '../../lib/logger';
import type { PermissionLevel } from '../../lib/permissions';
import type { PrismaClient } from '../../prisma/client';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * The dashboard routes over HTTP: the real app on a fresh database, its guild directory on the fake
 * Discord's REST (as api/server.ts builds it), the demo guild's row and one token per level.
 */
export interface DashEnv {
  discord: FakeDiscord;
  demo: DemoGuild;
  db: TestDatabase;
  prisma: PrismaClient;
  ledger: Ledger;
  rest: REST;
  guildId: string;
  tokens: Record<'user' | 'mod' | 'admin', string>;
  /** A request to `/api/guilds/{guildId}{path}` (the env's guild unless given) with a token (admin unless given). */
  api(method: string, path: string, opts?: { token?: string; body?: unknown; guildId?: string; at?: string }): Promise<{ status: number; body: Json }>;
  /** Another app on the same database (other deps: no Discord, …), served until close(). */
  serve(deps: Partial<AppDeps>): Promise<string>;
  close(): Promise<void>;
}

// Answers are read as loose JSON; each test asserts the fields it needs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function startDashEnv(): Promise<DashEnv> {
  const discord = await startFakeDiscord();
  const demo = seedDemoGuild(discord);
  const db = await createTestDatabase();
  const rest = new REST({ api: discord.restUrl, retries: 0, timeout: 5000, rejectOnRateLimit: () => true }).setToken(discord.token);
  const guildId = demo.guild.id;
  await db.prisma.guild.create({ data: { id: guildId, name: demo.guild.name, ownerId: demo.owner.id, settings: { create: {} } } });
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  const servers: Server[] = [];
  const serve = async (deps: Partial<AppDeps>) => {
    const app = createApp({ prisma: db.prisma, log, readiness: [], ...deps });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const base = await serve({ guildDirectory: createGuildDirectory(rest) });
  const token = async (level: PermissionLevel) => (await createApiToken(db.prisma, { guildId, name: level, level, createdBy: 'cli', creatorLevel: 'owner' })).token;
  const tokens = { user: await token('user'), mod: await token('mod'), admin: await token('admin') };
  return {
    discord,
    demo,
    db,
    prisma: db.prisma,
    ledger: createLedger(db.prisma),
    rest,
    guildId,
    tokens,
    serve,
    async api(method, path, opts = {}) {
      const res = await fetch(`${opts.at ?? base}/api/guilds/${opts.guildId ?? guildId}${path}`, {
        method,
        headers: { authorization: `Bearer ${opts.token ?? tokens.admin}`, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      for (const s of servers) await new Promise((r) => s.close(r));
      closeDiscordRest(rest);
      await db.drop();
      await discord.close();
    },
  };
}
