import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Routes } from 'discord-api-types/v10';
import { createApp } from '../../api/app';
import { createLedger, userAccount } from '../../activities/ledger';
import { createApiToken } from '../../lib/api-tokens';
import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { closeDiscordRest, createDiscordRest } from '../../lib/discord/rest';
import { createLogger } from '../../lib/logger';
import type { PermissionLevel } from '../../lib/permissions';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * What an API token may do is what its person may do: a token acts for the member who minted it (or minted
 * its parent), spends that member's adjustment budget, stops working when they lose the level it was minted
 * at (asked of the fake Discord through the directory's cache), and cannot revoke a token above its level.
 */
describe('API token rules', () => {
  let discord: FakeDiscord;
  let demo: DemoGuild;
  let db: TestDatabase;
  let rest: ReturnType<typeof createDiscordRest>;
  let server: Server;
  let bare: Server;
  let base: string;
  let bareBase: string;
  /** The directory's clock: a test moves it past the cache's time to live. */
  let clock = 0;
  const TTL_MS = 1000;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    demo = seedDemoGuild(discord);
    db = await createTestDatabase();
    await db.prisma.guild.create({
      data: {
        id: demo.guild.id,
        name: demo.guild.name,
        ownerId: demo.owner.id,
        settings: { create: { adminRoleIds: [demo.roles.admin.id], modRoleIds: [demo.roles.mod.id] } },
      },
    });
    rest = createDiscordRest({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.restUrl });
    const log = createLogger({ level: 'silent' });
    const guildDirectory = createGuildDirectory(rest!, { ttlMs: TTL_MS, now: () => clock });
    server = await listen(createApp({ prisma: db.prisma, log, readiness: [], guildDirectory }));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${demo.guild.id}`;
    // An API process without a Discord connection.
    bare = await listen(createApp({ prisma: db.prisma, log, readiness: [] }));
    bareBase = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/api/guilds/${demo.guild.id}`;
  });
  afterAll(async () => {
    for (const s of [server, bare]) if (s) await new Promise((r) => s.close(r));
    closeDiscordRest(rest);
    await db?.drop();
    await discord?.close();
  });

  function listen(app: ReturnType<typeof createApp>): Promise<Server> {
    return new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
  }

  async function call(token: string, method: string, path: string, body?: unknown, at = base) {
    const res = await fetch(at + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  }

  /** A token as /api-token mints it for a member (`discord:<id>`), or as the CLI does for the operator. */
  const mint = async (level: PermissionLevel, createdBy: string) =>
    createApiToken(db.prisma, { guildId: demo.guild.id, name: `${level} by ${createdBy}`, level, createdBy, creatorLevel: 'owner' });

  /** A new member of the demo guild with these roles. */
  function newMember(name: string, roles: string[]): string {
    const user = discord.createUser({ username: name });
    discord.addMember(demo.guild.id, user.id, { roles });
    return user.id;
  }

  /** Past the directory's cache: the next request asks Discord again. */
  const expireCache = () => {
    clock += TTL_MS + 1;
  };

  describe('the adjustment budget follows the person', () => {
    it('a token minted by a token spends its person’s budget: the 6th change across both is refused, recorded as the person', async () => {
      const admin = newMember('budget-admin', [demo.roles.admin.id]);
      const first = await mint('admin', `discord:${admin}`);
      const minted = await call(first.token, 'POST', '/api-tokens', { name: 'child', level: 'admin' });
      expect(minted.status).toBe(201);
      const child = minted.body!.token as string;

      const adjust = (token: string, i: number) => call(token, 'POST', '/economy/adjustments', { userId: demo.member.id, amount: '10', reason: `budget ${i}` });
      for (let i = 0; i < 3; i += 1) expect((await adjust(first.token, i)).status).toBe(201);
      for (let i = 3; i < 5; i += 1) expect((await adjust(child, i)).status).toBe(201);
      const refused = await adjust(child, 5);
      expect(refused.status).toBe(429);
      expect(refused.body?.error.code).toBe('rate_limited');
      expect((await createLedger(db.prisma).balance(demo.guild.id, userAccount(demo.member.id), 'currency')).balance).toBe(50n);

      const entries = (await createLedger(db.prisma).entries({ guildId: demo.guild.id, type: 'admin_adjust', limit: 100 })).items.filter((e) => e.reason?.startsWith('budget'));
      expect(entries.map((e) => e.actor)).toEqual(Array.from({ length: 5 }, () => ({ type: 'user', id: admin })));
      const audit = await db.prisma.auditEvent.findMany({ where: { guildId: demo.guild.id, action: 'economy.balance_adjusted', actorId: `discord:${admin}` } });
      expect(audit).toHaveLength(5);
      expect(await db.prisma.apiToken.findUniqueOrThrow({ where: { id: minted.body!.id as string } })).toMatchObject({ createdBy: `token:${first.id}`, ownerUserId: admin });
    });

    it('the operator’s tokens share one budget too', async () => {
      await db.prisma.economySettings.upsert({ where: { guildId: demo.guild.id }, create: { guildId: demo.guild.id, adminAdjustLimitPerMinute: 2 }, update: { adminAdjustLimitPerMinute: 2 } });
      try {
        const [a, b] = [await mint('admin', 'cli'), await mint('admin', 'cli')];
        const adjust = (token: string) => call(token, 'POST', '/economy/adjustments', { userId: demo.mod.id, amount: '1', reason: 'operator' });
        expect((await adjust(a.token)).status).toBe(201);
        expect((await adjust(b.token)).status).toBe(201);
        expect((await adjust(b.token)).status).toBe(429);
      } finally {
        await db.prisma.economySettings.delete({ where: { guildId: demo.guild.id } });
      }
    });

    it('the limit has a ceiling: raising it above is a 400 that changes nothing, and a higher stored value counts as the ceiling', async () => {
      const owner = await mint('owner', 'cli');
      const tooHigh = await call(owner.token, 'PATCH', '/economy/settings', { adminAdjustLimitPerMinute: 61 });
      expect(tooHigh.status).toBe(400);
      expect(tooHigh.body?.error.message).toBe('The admin adjust limit must be a whole number from 1 to 60 changes per minute.');
      expect(await db.prisma.economySettings.findUnique({ where: { guildId: demo.guild.id } })).toBeNull();
      expect((await call(owner.token, 'PATCH', '/economy/settings', { adminAdjustLimitPerMinute: 60 })).body).toMatchObject({ adminAdjustLimitPerMinute: 60 });

      // A row written before the ceiling existed.
      await db.prisma.economySettings.update({ where: { guildId: demo.guild.id }, data: { adminAdjustLimitPerMinute: 1000 } });
      expect((await call(owner.token, 'GET', '/economy/settings')).body).toMatchObject({ adminAdjustLimitPerMinute: 60 });
      await db.prisma.economySettings.delete({ where: { guildId: demo.guild.id } });
    });
  });

  it('the audit trail names the person behind a token, not the token', async () => {
    const admin = newMember('audited-admin', [demo.roles.admin.id]);
    const token = await mint('admin', `discord:${admin}`);
    const since = (await db.prisma.auditEvent.aggregate({ _max: { id: true } }))._max.id ?? 0n;
    expect((await call(token.token, 'PATCH', '/settings', { locale: 'id' })).status).toBe(200);
    expect((await call(token.token, 'PATCH', '/economy/settings', { currencyName: 'Shells' })).status).toBe(200);
    const audit = await db.prisma.auditEvent.findMany({ where: { guildId: demo.guild.id, id: { gt: since }, action: { in: ['guild_settings.updated', 'economy_settings.updated'] } }, orderBy: { id: 'asc' } });
    expect(audit.map((e) => [e.action, e.actorType, e.actorId])).toEqual([
      ['guild_settings.updated', 'user', `discord:${admin}`],
      ['economy_settings.updated', 'user', `discord:${admin}`],
    ]);
    await db.prisma.economySettings.delete({ where: { guildId: demo.guild.id } });
  });

  describe('revoking', () => {
    it('needs at least the token’s level: an admin token cannot revoke an owner token; the owner’s can', async () => {
      const ownerToken = await mint('owner', `discord:${demo.owner.id}`);
      const adminToken = await mint('admin', 'cli');
      const refused = await call(adminToken.token, 'DELETE', `/api-tokens/${ownerToken.id}`);
      expect(refused.status).toBe(403);
      expect(refused.body?.error.message).toBe(`You are admin: you cannot revoke token ${ownerToken.id}, which is owner.`);
      expect((await db.prisma.apiToken.findUniqueOrThrow({ where: { id: ownerToken.id } })).revokedAt).toBeNull();
      expect((await call(ownerToken.token, 'GET', '')).status).toBe(200);
      expect(await db.prisma.auditEvent.count({ where: { action: 'api_token.revoked', targetId: ownerToken.id } })).toBe(0);

      expect((await call(ownerToken.token, 'DELETE', `/api-tokens/${adminToken.id}`)).status).toBe(204);
      expect((await call(adminToken.token, 'GET', '')).status).toBe(401);
      const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'api_token.revoked', targetId: adminToken.id } });
      expect([audit.actorType, audit.actorId]).toEqual(['user', `discord:${demo.owner.id}`]);
    });
  });

  describe('a person’s token lives only while they keep its level', () => {
    it('stops working (after the cache’s time) when its owner loses the admin role, and so do the tokens it minted', async () => {
      const admin = newMember('demoted-admin', [demo.roles.admin.id]);
      const token = await mint('admin', `discord:${admin}`);
      const modToken = await mint('mod', `discord:${admin}`);
      expect((await call(token.token, 'GET', '')).status).toBe(200);
      const child = (await call(token.token, 'POST', '/api-tokens', { name: 'child', level: 'admin' })).body!.token as string;
      expect((await call(child, 'GET', '')).status).toBe(200);

      await rest!.delete(Routes.guildMemberRole(demo.guild.id, admin, demo.roles.admin.id));
      await rest!.put(Routes.guildMemberRole(demo.guild.id, admin, demo.roles.mod.id));
      // Within the cache's time the last answer stands.
      expect((await call(token.token, 'GET', '')).status).toBe(200);
      expireCache();
      for (const t of [token.token, child]) {
        const refused = await call(t, 'GET', '');
        expect(refused.status).toBe(401);
        expect(refused.body?.error).toEqual({ code: 'unauthorized', message: `This token was minted at admin level; its owner ${admin} is now mod, so it no longer works.` });
      }
      // The mod token they minted is still within their level.
      expect((await call(modToken.token, 'GET', '')).status).toBe(200);
      // Nothing the refused token asked for happened.
      expect((await call(token.token, 'POST', '/api-tokens', { name: 'late', level: 'mod' })).status).toBe(401);
      expect(await db.prisma.apiToken.count({ where: { name: 'late' } })).toBe(0);
    });

    it('stops working when its owner leaves the server', async () => {
      const admin = newMember('leaving-admin', [demo.roles.admin.id]);
      const token = await mint('admin', `discord:${admin}`);
      expect((await call(token.token, 'GET', '')).status).toBe(200);
      discord.removeMember(demo.guild.id, admin);
      expireCache();
      const refused = await call(token.token, 'GET', '');
      expect(refused.status).toBe(401);
      expect(refused.body?.error.message).toBe(`This token belongs to member ${admin}, who is no longer in this server: it no longer works.`);
    });

    it('counts Discord’s Administrator permission as admin, as the bot does', async () => {
      const role = discord.createRole(demo.guild.id, { name: 'Server admins', permissions: 8n });
      const admin = newMember('administrator', [role.id]);
      const token = await mint('admin', `discord:${admin}`);
      expect((await call(token.token, 'GET', '')).status).toBe(200);
    });

    it('answers 503 when Discord cannot be asked, and when the API has no Discord connection; the operator’s tokens need neither', async () => {
      const admin = newMember('unconfirmed-admin', [demo.roles.admin.id]);
      const token = await mint('admin', `discord:${admin}`);
      const operator = await mint('admin', 'cli');
      expireCache();
      discord.inject({ method: 'GET', route: new RegExp(`/guilds/${demo.guild.id}/members/${admin}$`), status: 503, times: 2 });
      const down = await call(token.token, 'GET', '');
      expect(down.status).toBe(503);
      expect(down.body?.error.code).toBe('discord_unavailable');
      expect((await call(token.token, 'GET', '')).status).toBe(200);

      const bareAnswer = await call(token.token, 'GET', '', undefined, bareBase);
      expect(bareAnswer.status).toBe(503);
      expect(bareAnswer.body?.error.code).toBe('discord_unavailable');
      expect((await call(operator.token, 'GET', '', undefined, bareBase)).status).toBe(200);
    });
  });
});
