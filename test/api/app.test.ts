import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import type { GuildDirectory } from '../../lib/discord/guild-directory';
import { createLogger } from '../../lib/logger';
import type { PermissionLevel } from '../../lib/permissions';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { createTestDatabase } from '../helpers/database';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

const GUILD = '100000000000000001';
const OTHER_GUILD = '100000000000000002';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let server: Server;
let base: string;
const logLines: string[] = [];
const tokens = {} as Record<PermissionLevel | 'otherGuild' | 'revoked' | 'expired', string>;

async function call(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
    body: text ? (JSON.parse(text) as Record<string, any>) : undefined, headers: res.headers };
}

function listen(app: ReturnType<typeof createApp>): Promise<Server> {
  return new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
}

/** A logger writing its lines into `lines`. */
function logTo(lines: string[]) {
  return createLogger(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  const log = logTo(logLines);
  for (const id of [GUILD, OTHER_GUILD]) {
    await db.prisma.guild.create({ data: { id, name: `Guild ${id}`, ownerId: '200000000000000001', settings: { create: {} } } });
  }
  for (const level of ['user', 'mod', 'admin', 'owner'] as const) {
    tokens[level] = (await createApiToken(db.prisma, { guildId: GUILD, name: level, level, createdBy: 'cli', creatorLevel: 'owner' })).token;
  }
  tokens.otherGuild = (await createApiToken(db.prisma, { guildId: OTHER_GUILD, name: 'o', level: 'owner', createdBy: 'cli', creatorLevel: 'owner' })).token;
  const revoked = await createApiToken(db.prisma, { guildId: GUILD, name: 'r', level: 'owner', createdBy: 'cli', creatorLevel: 'owner' });
  await db.prisma.apiToken.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
  tokens.revoked = revoked.token;
  const expired = await createApiToken(db.prisma, { guildId: GUILD, name: 'e', level: 'owner', createdBy: 'cli', creatorLevel: 'owner', expiresAt: new Date(Date.now() - 1000) });
  tokens.expired = expired.token;

  // Every channel and role is this guild's here (test/api/guild-scope.test.ts checks the refusals against the fake Discord).
  const guildDirectory: GuildDirectory = { channel: async (guildId, id) => ({ id, guildId, type: 0 }), hasRole: async () => true, grantsAdministrator: async () => false, member: async (_g, userId) => ({ userId, roleIds: [] }), channels: async () => null, roles: async () => null };
  server = await listen(createApp({ prisma: db.prisma, log, readiness: [{ name: 'database', check: () => db.prisma.$queryRaw`SELECT 1` }], guildDirectory }));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) await new Promise((r) => server.close(r));
  await db?.drop();
});

describe('API authentication', () => {
  // [route, minimum level]
  const routes: [string, string, PermissionLevel][] = [
    ['GET', `/api/guilds/${GUILD}`, 'mod'],
    ['GET', `/api/guilds/${GUILD}/audit-events`, 'admin'],
    ['GET', `/api/guilds/${GUILD}/api-tokens`, 'admin'],
  ];
  const rank: PermissionLevel[] = ['user', 'mod', 'admin', 'owner'];

  it.each(routes)('%s %s: 401 without a valid token, 403 for another guild or a lower level, 200 at or above %s', async (method, path, min) => {
    for (const bad of [undefined, 'not-a-token', `gf_000000000000_${'x'.repeat(43)}`, tokens.revoked, tokens.expired]) {
      const res = await call(method, path, { token: bad });
      expect({ bad, status: res.status, code: res.body?.error?.code }).toEqual({ bad, status: 401, code: 'unauthorized' });
    }
    const other = await call(method, path, { token: tokens.otherGuild });
    expect(other.status).toBe(403);
    expect(other.body?.error.message).toContain(OTHER_GUILD);
    for (const level of rank) {
      const res = await call(method, path, { token: tokens[level] });
      const allowed = rank.indexOf(level) >= rank.indexOf(min);
      expect({ level, status: res.status }).toEqual({ level, status: allowed ? 200 : 403 });
    }
  });

  it('never logs the token', () => {
    expect(logLines.join('')).not.toContain(tokens.admin);
  });
});

describe('guild settings and tokens', () => {
  it('updates settings with an audit event, and rejects bad input without changing anything', async () => {
    const bad = await call('PATCH', `/api/guilds/${GUILD}/settings`, { token: tokens.admin, body: { adminRoleIds: ['abc'], bogus: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body?.error.code).toBe('invalid_input');
    expect(bad.body?.error.message).toMatch(/adminRoleIds/);

    const ok = await call('PATCH', `/api/guilds/${GUILD}/settings`, {
      token: tokens.admin,
      body: { adminRoleIds: ['300000000000000001'], adminLogChannelId: '400000000000000001' },
    });
    expect(ok.status).toBe(200);
    const settings = await db.prisma.guildSettings.findUniqueOrThrow({ where: { guildId: GUILD } });
    expect(settings.adminRoleIds).toEqual(['300000000000000001']);
    expect(settings.adminLogChannelId).toBe('400000000000000001');

    const audit = await call('GET', `/api/guilds/${GUILD}/audit-events?limit=5`, { token: tokens.admin });
    const actions = audit.body?.events.map((e: { action: string }) => e.action);
    expect(actions[0]).toBe('guild_settings.updated');
    expect(actions.filter((a: string) => a === 'guild_settings.updated')).toHaveLength(1);

    // One event per page, newest first: the cursor walks them all once; the deprecated `before` still works.
    const all = (await call('GET', `/api/guilds/${GUILD}/audit-events?limit=200`, { token: tokens.admin })).body?.events.map((e: { id: string }) => e.id);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `/api/guilds/${GUILD}/audit-events?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { token: tokens.admin });
      const ids = page.body?.events.map((e: { id: string }) => e.id) as string[];
      walked.push(...ids);
      expect(page.body?.nextBefore).toBe(page.body?.nextCursor ? ids[0] : null);
      cursor = page.body?.nextCursor as string | null;
    } while (cursor);
    expect(walked).toEqual(all);
    if (all.length > 1) {
      const older = await call('GET', `/api/guilds/${GUILD}/audit-events?before=${all[0]}`, { token: tokens.admin });
      expect(older.body?.events.map((e: { id: string }) => e.id)).toEqual(all.slice(1));
    }
    expect((await call('GET', `/api/guilds/${GUILD}/audit-events?cursor=nonsense`, { token: tokens.admin })).status).toBe(400);
  });

  it('an admin cannot mint an owner token; a minted token works and can be revoked', async () => {
    const denied = await call('POST', `/api/guilds/${GUILD}/api-tokens`, { token: tokens.admin, body: { name: 'x', level: 'owner' } });
    expect(denied.status).toBe(403);

    const created = await call('POST', `/api/guilds/${GUILD}/api-tokens`, { token: tokens.admin, body: { name: 'dash', level: 'mod' } });
    expect(created.status).toBe(201);
    const token = created.body?.token as string;
    expect((await call('GET', `/api/guilds/${GUILD}`, { token })).status).toBe(200);
    const stored = await db.prisma.apiToken.findUniqueOrThrow({ where: { id: created.body?.id } });
    expect(stored.secretHash).not.toContain(token.slice(-20));

    expect((await call('DELETE', `/api/guilds/${GUILD}/api-tokens/${created.body?.id}`, { token: tokens.admin })).status).toBe(204);
    expect((await call('GET', `/api/guilds/${GUILD}`, { token })).status).toBe(401);
  });

  it('answers unknown routes and non-JSON bodies with the error shape', async () => {
    const missing = await call('GET', '/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body?.error.code).toBe('not_found');
    const res = await fetch(`${base}/api/guilds/${GUILD}/settings`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(res.status).toBe(415);
  });
});

describe('health, readiness and metrics', () => {
  it('/health answers and echoes a request id', async () => {
    const res = await fetch(`${base}/health`, { headers: { 'x-request-id': 'req-42' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-42');
    expect(((await res.json()) as { status: string }).status).toBe('ok');
  });

  it('/ready is 503 naming the database while it is unreachable, and 200 once it is back', async () => {
    const url = new URL(db.url);
    const proxy: TcpProxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    const prisma: PrismaClient = createPrismaClient(url.toString(), { poolSize: 2 });
    const app = createApp({ prisma, log: createLogger({ level: 'silent' }), readiness: [{ name: 'database', check: () => prisma.$queryRaw`SELECT 1` }] });
    const s = await listen(app);
    const readyUrl = `http://127.0.0.1:${(s.address() as AddressInfo).port}/ready`;
    try {
      expect((await fetch(readyUrl)).status).toBe(200);
      await proxy.cut();
      const down = await fetch(readyUrl);
      expect(down.status).toBe(503);
      const body = (await down.json()) as { error: { code: string; message: string }; checks: Record<string, { ok: boolean }> };
      expect(body.error.code).toBe('not_ready');
      expect(body.error.message).toBe('Not ready: database unavailable.');
      expect(body.checks.database?.ok).toBe(false);
      await proxy.restore();
      expect((await fetch(readyUrl)).status).toBe(200);
    } finally {
      await new Promise((r) => s.close(r));
      await prisma.$disconnect();
      await proxy.close();
    }
  });

  it('/ready says which check fails but not why: no database error text, no connection details (they are logged)', async () => {
    const url = new URL(db.url);
    url.username = 'gf_ready_probe';
    url.password = 'not-the-password-5d1e';
    const prisma: PrismaClient = createPrismaClient(url.toString(), { poolSize: 1 });
    const reason = await prisma.$queryRaw`SELECT 1`.then(
      () => '',
      (err: Error) => err.message,
    );
    expect(reason).toContain('gf_ready_probe'); // what the database says names the user
    const app = createApp({ prisma, log: logTo(logLines), readiness: [{ name: 'database', check: () => prisma.$queryRaw`SELECT 1` }] });
    const s = await listen(app);
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/ready`);
      const text = await res.text();
      expect(res.status).toBe(503);
      expect(JSON.parse(text)).toEqual({
        error: { code: 'not_ready', message: 'Not ready: database unavailable.' },
        checks: { database: { ok: false, error: 'unavailable', ms: expect.any(Number) } },
      });
      for (const leak of ['gf_ready_probe', url.hostname, url.port, url.pathname.slice(1), 'not-the-password']) expect(text).not.toContain(leak);
      expect(logLines.some((l) => l.includes('readiness check failed') && l.includes('gf_ready_probe'))).toBe(true);
    } finally {
      await new Promise((r) => s.close(r));
      await prisma.$disconnect();
    }
  });

  it('/metrics asks for METRICS_TOKEN when one is set', async () => {
    const metricsToken = 'metrics-token-0123456789abcdef';
    const app = createApp({ prisma: db.prisma, log: createLogger({ level: 'silent' }), readiness: [], metricsToken });
    const s = await listen(app);
    const metricsUrl = `http://127.0.0.1:${(s.address() as AddressInfo).port}/metrics`;
    try {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789abcdef', `Basic ${metricsToken}`, `Bearer ${metricsToken}x`]) {
        const res = await fetch(metricsUrl, { headers: authorization ? { authorization } : {} });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
        const text = await res.text();
        expect(JSON.parse(text)).toEqual({ error: { code: 'unauthorized', message: '/metrics needs the metrics token (Authorization: Bearer <METRICS_TOKEN>).' } });
        expect(text).not.toContain('guildflow_');
      }
      const ok = await fetch(metricsUrl, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/guildflow_process_cpu_user_seconds_total/);
      // The other system routes stay open: orchestrators poll them without credentials.
      expect((await fetch(metricsUrl.replace('/metrics', '/health'))).status).toBe(200);
    } finally {
      await new Promise((r) => s.close(r));
    }
  });

  it('/metrics has process and per-route HTTP metrics, plus the worker text when given', async () => {
    await fetch(`${base}/health`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/guildflow_process_cpu_user_seconds_total/);
    expect(text).toMatch(/guildflow_http_requests_total\{method="GET",route="\/health",status="200"\} \d+/);

    const app = createApp({
      prisma: db.prisma,
      log: createLogger({ level: 'silent' }),
      readiness: [],
      extraMetrics: async () => 'temporal_worker_task_slots_available{worker_type="WorkflowWorker"} 5',
    });
    const s = await listen(app);
    try {
      const withWorker = await (await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/metrics`)).text();
      expect(withWorker).toContain('temporal_worker_task_slots_available');
    } finally {
      await new Promise((r) => s.close(r));
    }
  });
});
