import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../api/app';
import { CONTENT_SECURITY_POLICY } from '../../api/web/security-headers';
import { createApiToken } from '../../lib/api-tokens';
import { createLogger } from '../../lib/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';

/**
 * The API serves the dashboard's build at `/`: files with their types, hashed assets cached for a year,
 * index.html for the page's own paths (never for /api), security headers on every answer, no CORS.
 * A small stand-in build (a temp dir) keeps this independent of the real one.
 */

let db: TestDatabase;
let server: Server;
let base: string;
let root: string;
let guild: string;
let token: string;

const INDEX = '<!doctype html><title>stand-in dashboard</title><script type="module" src="/assets/index-AbCd1234.js"></script>';
const SCRIPT = 'console.log("dashboard");';

beforeAll(async () => {
  db = await createTestDatabase();
  guild = await createGuild(db.prisma);
  token = (await createApiToken(db.prisma, { guildId: guild, name: 'admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
  root = await mkdtemp(path.join(os.tmpdir(), 'gf-web-'));
  await mkdir(path.join(root, 'assets'));
  await writeFile(path.join(root, 'index.html'), INDEX);
  await writeFile(path.join(root, 'assets', 'index-AbCd1234.js'), SCRIPT);
  await writeFile(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(path.join(root, '.source-hash'), 'secret-ish\n');
  const app = createApp({ prisma: db.prisma, log: createLogger({ level: 'silent' }), readiness: [], webRoot: root });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  if (server) await new Promise((r) => server.close(r));
  await db?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

function expectSecurityHeaders(res: Response): void {
  expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
}

it('has the exact CSP the dashboard was written for (no inline script)', () => {
  expect(CONTENT_SECURITY_POLICY).toBe(
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https://cdn.discordapp.com; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  );
});

it('serves index.html at / with security headers and no long cache', async () => {
  const res = await fetch(`${base}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('no-cache');
  expectSecurityHeaders(res);
  expect(await res.text()).toBe(INDEX);
});

it('serves hashed assets with their type and a year of immutable cache', async () => {
  const res = await fetch(`${base}/assets/index-AbCd1234.js`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expectSecurityHeaders(res);
  expect(await res.text()).toBe(SCRIPT);
  // An unhashed file is served too, but revalidated.
  const icon = await fetch(`${base}/favicon.svg`);
  expect(icon.headers.get('content-type')).toBe('image/svg+xml');
  expect(icon.headers.get('cache-control')).toBe('no-cache');
});

it('answers HEAD with the headers and no body', async () => {
  const res = await fetch(`${base}/assets/index-AbCd1234.js`, { method: 'HEAD' });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(SCRIPT)));
  expect(await res.text()).toBe('');
});

it('falls back to index.html for the page’s own paths (a reload on a deep link)', async () => {
  for (const p of [`/guilds/${guild}/ledger`, '/guilds/1/members?search=x', '/no/such/page']) {
    const res = await fetch(base + p);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expectSecurityHeaders(res);
    expect(await res.text()).toBe(INDEX);
  }
});

it('never falls back for API paths: they keep their JSON 404, with the same headers', async () => {
  for (const p of ['/api/nothing', `/api/guilds/${guild}/nothing`, '/api']) {
    const res = await fetch(base + p);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/json');
    expectSecurityHeaders(res);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  }
});

it('puts the headers on API answers, errors included, and never opens CORS', async () => {
  const ok = await fetch(`${base}/api/guilds/${guild}/ledger/assets`, { headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
  expect(ok.status).toBe(200);
  expectSecurityHeaders(ok);
  const denied = await fetch(`${base}/api/guilds/${guild}/ledger/assets`, { headers: { origin: 'https://evil.example' } });
  expect(denied.status).toBe(401);
  expectSecurityHeaders(denied);
  const preflight = await fetch(`${base}/api/guilds/${guild}/economy/adjustments`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
  });
  expectSecurityHeaders(preflight);
  expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
  const health = await fetch(`${base}/health`);
  expect(health.status).toBe(200);
  expectSecurityHeaders(health);
});

it('never serves a file outside the build, nor a dotfile', async () => {
  // Encoded traversal reaches the server as is (fetch would normalise a plain ../).
  for (const p of ['/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/.source-hash']) {
    const res = await fetch(base + p);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX);
  }
});

it('does not answer other methods with the page', async () => {
  const res = await fetch(`${base}/guilds/1/ledger`, { method: 'POST' });
  expect(res.status).toBe(404);
  expectSecurityHeaders(res);
});
