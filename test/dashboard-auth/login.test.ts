import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../../api/app';
import type { DashboardAuthSettings } from '../../api/dashboard-auth/settings';
import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { closeDiscordRest, createDiscordRest } from '../../lib/discord/rest';
import { createLogger } from '../../lib/logger';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { Browser } from './browser';

/**
 * The dashboard's login, end to end: an unmodified OAuth2 client (arctic) in the real API app talks to the
 * fake Discord over HTTP; the test acts as the browser (login → consent → callback, cookies kept), then
 * uses the access token on the same guild routes API tokens use.
 */
describe('dashboard login and sessions', () => {
  let discord: FakeDiscord;
  let demo: DemoGuild;
  let db: TestDatabase;
  let rest: ReturnType<typeof createDiscordRest>;
  let server: Server;
  let base: string;
  /** Moves the API's clock (access-token expiry); the directory's clock moves past its cache separately. */
  let offsetMs = 0;
  let directoryClock = 0;
  const DIRECTORY_TTL_MS = 1000;
  const SECRET = 'test-session-secret-0123456789abcdef-0123456789';
  const logLines: string[] = [];
  /** Everything secret the test saw: none may appear in the API's log. */
  const secretsSeen = new Set<string>();
  let grantee: string;
  let otherGuildId: string;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    demo = seedDemoGuild(discord);
    db = await createTestDatabase();
    await db.prisma.guild.create({
      data: { id: demo.guild.id, name: demo.guild.name, ownerId: demo.owner.id, settings: { create: { adminRoleIds: [demo.roles.admin.id], modRoleIds: [demo.roles.mod.id] } } },
    });
    // A member holding the Manage shop grant, and servers Guildflow does not serve (the fake has them, our DB not).
    grantee = discord.createUser({ username: 'grantee' }).id;
    discord.addMember(demo.guild.id, grantee);
    await db.prisma.memberGrant.create({ data: { guildId: demo.guild.id, permission: 'manage_shop', subjectType: 'user', subjectId: grantee, grantedBy: `discord:${demo.owner.id}` } });
    const other = discord.createGuild({ name: 'Not served', ownerId: demo.admin.id });
    otherGuildId = other.id;
    discord.addMember(other.id, demo.member.id);

    rest = createDiscordRest({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.restUrl });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    const log = createLogger({ level: 'debug' }, sink);
    // Listen first: the redirect URI names the port.
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const redirectUri = `${base}/api/auth/callback`;
    discord.setOAuthRedirectUris([redirectUri]);
    secretsSeen.add(discord.oauthApp.clientSecret);
    secretsSeen.add(SECRET);
    const dashboardAuth: DashboardAuthSettings = {
      sessionSecret: SECRET,
      discord: { clientId: discord.oauthApp.clientId, clientSecret: discord.oauthApp.clientSecret, apiUrl: discord.restUrl, redirectUri },
      now: () => new Date(Date.now() + offsetMs),
    };
    const guildDirectory = createGuildDirectory(rest!, { ttlMs: DIRECTORY_TTL_MS, now: () => directoryClock });
    server.on('request', createApp({ prisma: db.prisma, log, readiness: [], guildDirectory, dashboardAuth }).callback());
  });
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    closeDiscordRest(rest);
    await db?.drop();
    await discord?.close();
  });

  const expireDirectoryCache = () => {
    directoryClock += DIRECTORY_TTL_MS + 1;
  };

  /** A logged-in browser for this user; the refresh token it holds is remembered as a secret. */
  async function loggedIn(userId: string, next?: string): Promise<{ browser: Browser; landed: Response }> {
    discord.setOAuthUser(userId);
    const browser = new Browser(base);
    const landed = await browser.login(next);
    expect(landed.status).toBe(302);
    secretsSeen.add(browser.cookies.get('gf_refresh')!);
    return { browser, landed };
  }

  /** A refresh that must work: its access token (remembered as a secret) and body. */
  async function refreshed(browser: Browser) {
    const res = await browser.refresh();
    expect(res.status).toBe(200);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field
    const body = (await res.json()) as Record<string, any>;
    secretsSeen.add(body.accessToken as string);
    secretsSeen.add(browser.cookies.get('gf_refresh')!);
    return body;
  }

  async function call(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  }

  const guildPath = (path = '') => `/api/guilds/${demo.guild.id}${path}`;

  it('logs in through Discord’s consent page: PKCE and state, the cookies, the landing path, a hashed refresh token', async () => {
    discord.setOAuthUser(demo.admin.id);
    const browser = new Browser(base);
    const start = await browser.api('/api/auth/login?next=/guilds/123?tab=shop');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin + authorize.pathname).toBe(`${new URL(discord.restUrl).origin}/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: discord.oauthApp.clientId,
      response_type: 'code',
      scope: 'identify guilds',
      code_challenge_method: 'S256',
      redirect_uri: `${base}/api/auth/callback`,
    });
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    const loginCookie = browser.setCookies.find((c) => c.startsWith('gf_oauth='))!;
    expect(loginCookie).toMatch(/; Path=\/api\/auth;/);
    expect(loginCookie).toMatch(/HttpOnly/);
    expect(loginCookie).toMatch(/SameSite=Lax/);

    const callback = await browser.consent(authorize.toString());
    expect(new URL(callback).searchParams.get('state')).toBe(authorize.searchParams.get('state'));
    secretsSeen.add(new URL(callback).searchParams.get('code')!);
    const landed = await browser.api(callback);
    expect(landed.status).toBe(302);
    expect(landed.headers.get('location')).toBe('/guilds/123?tab=shop');
    const refreshCookie = browser.setCookies.find((c) => c.startsWith('gf_refresh='))!;
    expect(refreshCookie).toMatch(/; Path=\/api\/auth;/);
    expect(refreshCookie).toMatch(/HttpOnly; Secure; SameSite=Strict/);
    expect(browser.cookies.has('gf_oauth')).toBe(false);
    const refreshToken = browser.cookies.get('gf_refresh')!;
    secretsSeen.add(refreshToken);

    // The code went to Discord's token endpoint with the client's credentials, then the person's reads.
    const oauth = discord.oauthRequests();
    expect(oauth.filter((r) => r.path.endsWith('/oauth2/token'))).toEqual([expect.objectContaining({ status: 200, grantType: 'authorization_code' })]);
    expect(oauth.filter((r) => r.path.includes('/users/@me')).map((r) => [r.path, r.status])).toEqual([
      ['/api/v10/users/@me', 200],
      ['/api/v10/users/@me/guilds', 200],
    ]);

    const family = await db.prisma.dashboardSession.findFirstOrThrow({ where: { userId: demo.admin.id }, include: { refreshTokens: true } });
    expect(family).toMatchObject({ username: 'demo-admin', globalName: 'Ada Admin', revokedAt: null });
    expect(family.refreshTokens).toHaveLength(1);
    expect(family.refreshTokens[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(family)).not.toContain(refreshToken);

    const body = await refreshed(browser);
    expect(body.user).toEqual({ id: demo.admin.id, username: 'demo-admin', globalName: 'Ada Admin', avatarUrl: expect.stringMatching(/^https:\/\/cdn\.discordapp\.com\/embed\/avatars\/\d\.png$/) });
    expect(new Date(body.expiresAt as string).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    const me = await call(body.accessToken as string, 'GET', '/api/me');
    expect(me).toEqual({ status: 200, body: { user: body.user } });
  });

  it('lists the servers Guildflow serves where the person is a member, at the level the bot would give them', async () => {
    const levels: Record<string, unknown> = {};
    for (const [who, userId] of [['owner', demo.owner.id], ['admin', demo.admin.id], ['mod', demo.mod.id], ['member', demo.member.id], ['grantee', grantee]] as const) {
      const { browser } = await loggedIn(userId);
      const body = await refreshed(browser);
      const mine = await call(body.accessToken as string, 'GET', '/api/me/guilds');
      expect(mine.status).toBe(200);
      expect(mine.body!.guilds).toEqual(body.guilds);
      levels[who] = body.guilds;
    }
    const demoGuild = (level: string, grants: string[] = []) => [{ id: demo.guild.id, name: demo.guild.name, iconUrl: null, level, grants }];
    expect(levels).toEqual({
      owner: demoGuild('owner'),
      admin: demoGuild('admin'),
      mod: demoGuild('mod'),
      // The member is also in a server without Guildflow: not listed.
      member: demoGuild('user'),
      grantee: demoGuild('user', ['manage_shop']),
    });
    expect(otherGuildId).toBeDefined();
  });

  it('the access token works on the guild routes at its level, with the grant, as the person; refused below it', async () => {
    const tokenOf = async (userId: string) => (await refreshed((await loggedIn(userId)).browser)).accessToken as string;
    const [admin, mod, member, granted] = [await tokenOf(demo.admin.id), await tokenOf(demo.mod.id), await tokenOf(demo.member.id), await tokenOf(grantee)];

    expect((await call(admin, 'GET', guildPath('/audit-events'))).status).toBe(200);
    expect((await call(mod, 'GET', guildPath())).status).toBe(200);
    const refused = await call(mod, 'GET', guildPath('/audit-events'));
    expect(refused.status).toBe(403);
    expect(refused.body!.error.code).toBe('forbidden');
    expect((await call(member, 'GET', guildPath())).status).toBe(403);
    // Another guild's routes: not a member there (as far as Guildflow knows).
    expect((await call(admin, 'GET', `/api/guilds/${otherGuildId}`)).status).toBe(403);

    // The grant opens the shop's admin route to a plain member; the audit trail names the person.
    const item = await call(granted, 'POST', guildPath('/shop/items'), { name: 'Session badge', price: 10 });
    expect(item.status).toBe(201);
    expect((await call(member, 'POST', guildPath('/shop/items'), { name: 'No grant', price: 10 })).status).toBe(403);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { guildId: demo.guild.id, action: 'shop_item.created' }, orderBy: { id: 'desc' } });
    expect(audit).toMatchObject({ actorType: 'user', actorId: `discord:${grantee}` });

    // The live-events stream takes the session too: past the token check this process has no hub (503).
    expect((await call(admin, 'GET', guildPath('/events'))).status).toBe(503);
    expect((await call(member, 'GET', guildPath('/events'))).status).toBe(403);
  });

  it('refresh rotates the token; presenting a rotated one ends the whole family, the newest token and access token included', async () => {
    const { browser } = await loggedIn(demo.mod.id);
    const first = browser.cookies.get('gf_refresh')!;
    const body = await refreshed(browser);
    const second = browser.cookies.get('gf_refresh')!;
    expect(second).not.toBe(first);

    // An attacker's copy of the first token, presented after the rotation.
    const thief = new Browser(base);
    thief.cookies.set('gf_refresh', first);
    const reused = await thief.refresh();
    expect(reused.status).toBe(401);
    expect(thief.setCookies.at(-1)).toMatch(/^gf_refresh=; .*Max-Age=0/);

    expect((await browser.refresh()).status).toBe(401);
    expect((await call(body.accessToken as string, 'GET', '/api/me')).status).toBe(401);
    expect((await call(body.accessToken as string, 'GET', guildPath())).status).toBe(401);
    const family = await db.prisma.dashboardSession.findFirstOrThrow({ where: { userId: demo.mod.id, revokedReason: 'reuse' } });
    expect(family.revokedAt).not.toBeNull();
  });

  it('two refreshes racing with one token: at most one succeeds, and the family ends (reuse), as docs/security.md says', async () => {
    const { browser } = await loggedIn(demo.member.id);
    const token = browser.cookies.get('gf_refresh')!;
    const racers = [new Browser(base), new Browser(base)];
    for (const r of racers) r.cookies.set('gf_refresh', token);
    const results = await Promise.all(racers.map((r) => r.refresh()));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401]);
    const winner = racers[results.findIndex((r) => r.status === 200)]!;
    secretsSeen.add(winner.cookies.get('gf_refresh')!);
    expect((await winner.refresh()).status).toBe(401);
    const row = await db.prisma.dashboardRefreshToken.findUniqueOrThrow({ where: { tokenHash: createHash('sha256').update(token).digest('hex') }, include: { family: true } });
    expect(row.family).toMatchObject({ revokedReason: 'reuse', revokedAt: expect.any(Date) });
  });

  it('refresh and logout need the X-Guildflow-CSRF header: without it 403, and nothing rotates or ends', async () => {
    const { browser } = await loggedIn(demo.admin.id);
    const token = browser.cookies.get('gf_refresh')!;
    const refused = await browser.refresh({ csrf: false });
    expect(refused.status).toBe(403);
    expect(browser.cookies.get('gf_refresh')).toBe(token);
    const logout = await browser.api('/api/auth/logout', { method: 'POST' });
    expect(logout.status).toBe(403);
    const row = await db.prisma.dashboardRefreshToken.findUniqueOrThrow({ where: { tokenHash: createHash('sha256').update(token).digest('hex') }, include: { family: true } });
    expect(row.rotatedAt).toBeNull();
    expect(row.family.revokedAt).toBeNull();
    // The token is still the newest of a live family: it refreshes.
    await refreshed(browser);
  });

  it('logout ends the family: the refresh cookie is cleared, refresh and the access token are refused', async () => {
    const { browser } = await loggedIn(demo.owner.id);
    const body = await refreshed(browser);
    const token = browser.cookies.get('gf_refresh')!;
    const logout = await browser.api('/api/auth/logout', { method: 'POST', headers: { 'x-guildflow-csrf': '1' } });
    expect(logout.status).toBe(204);
    expect(browser.cookies.has('gf_refresh')).toBe(false);
    const again = new Browser(base);
    again.cookies.set('gf_refresh', token);
    expect((await again.refresh()).status).toBe(401);
    expect((await call(body.accessToken as string, 'GET', '/api/me')).status).toBe(401);
    expect(await db.prisma.dashboardSession.count({ where: { userId: demo.owner.id, revokedReason: 'logout' } })).toBe(1);
  });

  it('a member whose admin role is removed at Discord is no longer admin after the next refresh', async () => {
    const user = discord.createUser({ username: 'demoted' }).id;
    discord.addMember(demo.guild.id, user, { roles: [demo.roles.admin.id] });
    expireDirectoryCache();
    const { browser } = await loggedIn(user);
    const before = await refreshed(browser);
    expect(before.guilds[0].level).toBe('admin');
    expect((await call(before.accessToken as string, 'GET', guildPath('/audit-events'))).status).toBe(200);

    // A server admin takes the role (through Discord's API, as the client would).
    const removed = await fetch(`${discord.restUrl}/v10/guilds/${demo.guild.id}/members/${user}/roles/${demo.roles.admin.id}`, { method: 'DELETE', headers: { authorization: `Bot ${discord.token}` } });
    expect(removed.status).toBe(204);
    expireDirectoryCache();

    const after = await refreshed(browser);
    expect(after.guilds[0].level).toBe('user');
    expect((await call(after.accessToken as string, 'GET', guildPath('/audit-events'))).status).toBe(403);
  });

  it('an expired or tampered access token is refused (401)', async () => {
    const { browser } = await loggedIn(demo.mod.id);
    const { accessToken } = await refreshed(browser);
    const token = accessToken as string;
    const [header, payload, signature] = token.split('.') as [string, string, string];
    // The payload claims owner level: the signature no longer matches.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { guilds: Record<string, { level: string }> };
    claims.guilds[demo.guild.id]!.level = 'owner';
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect((await call(forged, 'GET', guildPath('/audit-events'))).status).toBe(401);
    // alg "none" is never accepted.
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    expect((await call(none, 'GET', '/api/me')).status).toBe(401);
    expect((await call(`${header}.${payload}.${signature.slice(0, -2)}xx`, 'GET', '/api/me')).status).toBe(401);

    expect((await call(token, 'GET', '/api/me')).status).toBe(200);
    offsetMs = 16 * 60_000;
    try {
      const expired = await call(token, 'GET', '/api/me');
      expect(expired.status).toBe(401);
      expect((await call(token, 'GET', guildPath())).status).toBe(401);
      // The session itself still works: the next refresh gives a fresh token.
      const fresh = await refreshed(browser);
      expect((await call(fresh.accessToken as string, 'GET', guildPath())).status).toBe(200);
    } finally {
      offsetMs = 0;
    }
  });

  it('refuses a callback whose state is not the login’s, a denied consent and an unsafe next path', async () => {
    const before = await db.prisma.dashboardSession.count();
    discord.setOAuthUser(demo.member.id);
    const browser = new Browser(base);
    const start = await browser.api('/api/auth/login?next=/ok');
    const callback = new URL(await browser.consent(start.headers.get('location')!));
    callback.searchParams.set('state', 'forged-state-value');
    const refused = await browser.api(callback.toString());
    expect(refused.status).toBe(302);
    expect(refused.headers.get('location')).toBe('/?login_error=state_mismatch');

    // A callback without the login cookie (another browser, or one that took too long).
    const stranger = await new Browser(base).api(callback.toString());
    expect(stranger.headers.get('location')).toBe('/?login_error=login_expired');

    const denied = await new Browser(base).login('/ok', { authorize: false });
    expect(denied.headers.get('location')).toBe('/?login_error=access_denied');
    expect(await db.prisma.dashboardSession.count()).toBe(before);

    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      const landed = await new Browser(base).login(next);
      expect(landed.headers.get('location')).toBe('/');
    }
  });

  it('without the refresh cookie there is no session; login is off without the OAuth client', async () => {
    expect((await new Browser(base).refresh()).status).toBe(401);
    const bare = createApp({ prisma: db.prisma, log: createLogger({ level: 'silent' }), readiness: [], dashboardAuth: { sessionSecret: SECRET } });
    const off = createServer(bare.callback());
    await new Promise<void>((resolve) => off.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(off.address() as AddressInfo).port}/api/auth/login`, { redirect: 'manual' });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('login_off');
    } finally {
      await new Promise((r) => off.close(r));
    }
  });

  it('never logs a secret: refresh and access tokens, codes, the client secret, the session secret', () => {
    expect(logLines.length).toBeGreaterThan(20);
    const all = logLines.join('');
    for (const secret of secretsSeen) expect(all.includes(secret)).toBe(false);
    expect(all).toContain('dashboard login');
  });
});
