import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type Router from '@koa/router';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import type { GuildDirectory } from '../../lib/discord/guild-directory';
import { EventHub } from '../../lib/events/hub';
import { createLogger } from '../../lib/logger';
import { PERMISSION_LEVELS, type PermissionLevel } from '../../lib/permissions';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';
import { testTemporal, type TestTemporal } from '../helpers/temporal';

/**
 * Every route of the API, as createApp mounts it (read from the Koa routers' stacks, so a route someone
 * adds shows up here by itself), against every kind of caller. The table below is the declared level of
 * each route: a route missing from it fails the first test, so nobody adds an endpoint without saying
 * who may call it.
 */
/**
 * 'game': signed by a registered Roblox game (api/routes/roblox-game.ts); an API token never passes.
 * 'session': a dashboard session's cookie or access token (api/dashboard-auth); an API token never passes (401/403).
 * 'person': a member acting for themselves (their own token or session); the operator tokens here have no
 * person, so every one of them is refused (403).
 */
type Expected = PermissionLevel | 'public' | 'game' | 'session' | 'person';

const LEVELS: Record<string, Expected> = {
  // System (no token)
  'GET /health': 'public',
  'GET /ready': 'public',
  'GET /metrics': 'public',
  // Dashboard login and sessions (api/dashboard-auth/routes.ts)
  'GET /api/auth/login': 'public',
  'GET /api/auth/callback': 'public',
  'POST /api/auth/refresh': 'session',
  'POST /api/auth/logout': 'session',
  'GET /api/me': 'session',
  'GET /api/me/guilds': 'session',
  // The API's own description (api/routes/openapi.ts)
  'GET /api/openapi.json': 'public',
  'GET /api/docs': 'public',
  // Guild
  'GET /api/guilds/:guildId': 'mod',
  'PATCH /api/guilds/:guildId/settings': 'admin',
  'GET /api/guilds/:guildId/audit-events': 'admin',
  'GET /api/guilds/:guildId/api-tokens': 'admin',
  'POST /api/guilds/:guildId/api-tokens': 'admin',
  'DELETE /api/guilds/:guildId/api-tokens/:tokenId': 'admin',
  // Grants (api/routes/grants.ts)
  'GET /api/guilds/:guildId/grants': 'admin',
  'POST /api/guilds/:guildId/grants': 'admin',
  'DELETE /api/guilds/:guildId/grants/:id': 'admin',
  // Ledger (api/routes/ledger.ts, LEDGER_LEVELS)
  'GET /api/guilds/:guildId/ledger/assets': 'mod',
  'GET /api/guilds/:guildId/ledger/holders': 'mod',
  'GET /api/guilds/:guildId/ledger/members/:userId/balances': 'mod',
  'GET /api/guilds/:guildId/ledger/system/:name/balances': 'mod',
  'GET /api/guilds/:guildId/ledger/accounts': 'mod',
  'GET /api/guilds/:guildId/ledger/entries': 'mod',
  'GET /api/guilds/:guildId/ledger/entries.csv': 'mod',
  'GET /api/guilds/:guildId/ledger/entries/:key': 'mod',
  'GET /api/guilds/:guildId/ledger/stats': 'mod',
  'POST /api/guilds/:guildId/ledger/validate': 'admin',
  'POST /api/guilds/:guildId/ledger/archive': 'admin',
  // Economy (api/routes/economy.ts)
  'GET /api/guilds/:guildId/economy/settings': 'mod',
  'PATCH /api/guilds/:guildId/economy/settings': 'admin',
  'POST /api/guilds/:guildId/economy/adjustments': 'admin',
  // Shop (api/routes/shop.ts)
  'GET /api/guilds/:guildId/shop/items': 'mod',
  'POST /api/guilds/:guildId/shop/items': 'admin',
  'PATCH /api/guilds/:guildId/shop/items/:itemId': 'admin',
  'DELETE /api/guilds/:guildId/shop/items/:itemId': 'admin',
  'GET /api/guilds/:guildId/shop/inventory/:userId': 'mod',
  'GET /api/guilds/:guildId/shop/purchases': 'mod',
  'GET /api/guilds/:guildId/shop/purchases/:purchaseId': 'mod',
  // Roblox verification (api/routes/verify.ts)
  'POST /api/guilds/:guildId/verify/verifications': 'admin',
  'GET /api/guilds/:guildId/verify/verifications/:userId': 'mod',
  'GET /api/guilds/:guildId/verify/links': 'mod',
  'DELETE /api/guilds/:guildId/verify/links/:userId': 'admin',
  'GET /api/guilds/:guildId/verify/settings': 'mod',
  'PATCH /api/guilds/:guildId/verify/settings': 'admin',
  // Tasks (api/routes/tasks.ts)
  'GET /api/guilds/:guildId/tasks/settings': 'mod',
  'PATCH /api/guilds/:guildId/tasks/settings': 'admin',
  'GET /api/guilds/:guildId/tasks/stats': 'mod',
  'GET /api/guilds/:guildId/tasks/claims': 'mod',
  'GET /api/guilds/:guildId/tasks': 'mod',
  'POST /api/guilds/:guildId/tasks': 'admin',
  'GET /api/guilds/:guildId/tasks/:taskId': 'mod',
  'PATCH /api/guilds/:guildId/tasks/:taskId': 'admin',
  'DELETE /api/guilds/:guildId/tasks/:taskId': 'admin',
  'GET /api/guilds/:guildId/tasks/:taskId/claims/:userId': 'mod',
  'POST /api/guilds/:guildId/tasks/:taskId/claims/:userId/review': 'admin',
  'POST /api/guilds/:guildId/tasks/:taskId/claims/:userId/revoke': 'admin',
  // Live events, announcements and message sync (api/routes/events.ts, announcements.ts, sync.ts)
  'GET /api/guilds/:guildId/events': 'admin',
  'GET /api/guilds/:guildId/announcements': 'mod',
  'POST /api/guilds/:guildId/announcements/preview': 'admin',
  'POST /api/guilds/:guildId/announcements': 'admin',
  'GET /api/guilds/:guildId/announcements/:announcementId': 'mod',
  'PATCH /api/guilds/:guildId/announcements/:announcementId': 'admin',
  'DELETE /api/guilds/:guildId/announcements/:announcementId': 'admin',
  'GET /api/guilds/:guildId/sync': 'mod',
  'GET /api/guilds/:guildId/sync/channels': 'mod',
  'PUT /api/guilds/:guildId/sync/channels/:entityType': 'admin',
  'DELETE /api/guilds/:guildId/sync/channels/:entityType': 'admin',
  // Payments (api/routes/webhooks.ts): no token, the gateway's signature is checked instead
  'POST /webhooks/midtrans': 'public',
  // Card trade escrow and emails (api/routes/stripe-webhooks.ts, api/routes/card-settings.ts): the webhook
  // and the links in emails carry their own proof (signature, token); the rest is a member's own settings.
  'POST /webhooks/stripe': 'public',
  'GET /api/cards/email/confirm': 'public',
  'GET /api/guilds/:guildId/cards/settings': 'admin',
  'PATCH /api/guilds/:guildId/cards/settings': 'admin',
  'GET /api/cards/unsubscribe': 'public',
  'POST /api/cards/unsubscribe': 'public',
  // Card trading (api/routes/cards.ts, card-trades.ts): another member's lists need mod (read) or admin (write)
  'GET /api/guilds/:guildId/cards/price': 'user',
  'GET /api/guilds/:guildId/cards/autocomplete': 'user',
  'GET /api/guilds/:guildId/cards/members/:userId/haves': 'mod',
  'GET /api/guilds/:guildId/cards/members/:userId/wants': 'mod',
  'GET /api/guilds/:guildId/cards/members/:userId/collection': 'mod',
  'POST /api/guilds/:guildId/cards/members/:userId/collection': 'admin',
  'PATCH /api/guilds/:guildId/cards/members/:userId/collection/:id': 'admin',
  'DELETE /api/guilds/:guildId/cards/members/:userId/collection/:id': 'admin',
  'GET /api/guilds/:guildId/cards/members/:userId/matches': 'mod',
  'GET /api/guilds/:guildId/cards/members/:userId/matches/:otherUserId/terms': 'mod',
  'POST /api/guilds/:guildId/cards/members/:userId/haves': 'admin',
  'POST /api/guilds/:guildId/cards/members/:userId/wants': 'admin',
  'DELETE /api/guilds/:guildId/cards/members/:userId/haves/:id': 'admin',
  'DELETE /api/guilds/:guildId/cards/members/:userId/wants/:id': 'admin',
  'POST /api/guilds/:guildId/cards/members/:userId/import': 'admin',
  'PUT /api/guilds/:guildId/cards/members/:userId/visibility': 'admin',
  'POST /api/guilds/:guildId/card-trades': 'person',
  'GET /api/guilds/:guildId/card-trades': 'person',
  'GET /api/guilds/:guildId/card-trades/:proposalId': 'person',
  'POST /api/guilds/:guildId/card-trades/:proposalId/respond': 'person',
  'POST /api/guilds/:guildId/card-trades/:proposalId/confirm': 'person',
  'POST /api/guilds/:guildId/card-trades/:proposalId/dispute': 'person',
  'POST /api/guilds/:guildId/card-trades/:proposalId/resolve': 'mod',
  'POST /api/guilds/:guildId/card-trades/:proposalId/rate': 'person',
  'GET /api/guilds/:guildId/card-trades/:proposalId/messages': 'person',
  'POST /api/guilds/:guildId/card-trades/:proposalId/messages': 'person',
  'GET /api/guilds/:guildId/card-profiles/:userId': 'user',
  'GET /api/guilds/:guildId/cards/me/notifications': 'user',
  'PUT /api/guilds/:guildId/cards/me/notifications': 'user',
  'POST /api/guilds/:guildId/cards/me/email': 'user',
  'POST /api/guilds/:guildId/cards/me/payouts': 'user',
  // The payer's pay page and the payout onboarding return pages (api/routes/card-pay.ts): pages for anyone,
  // their data for the signed-in member only (the service then answers only the trade's own parties).
  'GET /cards/pay/:proposalId': 'public',
  'GET /cards/card-pages.js': 'public',
  'GET /api/cards/pay/:proposalId': 'session',
  'GET /api/cards/pay/:proposalId/client-secret': 'session',
  'GET /api/cards/payouts/onboard': 'public',
  'POST /api/cards/payouts/onboard': 'session',
  'GET /api/cards/payouts': 'public',
  'GET /api/cards/payouts/account': 'session',
  'GET /api/guilds/:guildId/payments/topups': 'mod',
  'GET /api/guilds/:guildId/payments/topups/:paymentId': 'mod',
  // Code shop (api/routes/orders.ts)
  'GET /api/guilds/:guildId/orders': 'mod',
  'GET /api/guilds/:guildId/orders/:orderId': 'mod',
  'POST /api/guilds/:guildId/orders/:orderId/process': 'admin',
  'GET /api/guilds/:guildId/codes/stock': 'mod',
  'POST /api/guilds/:guildId/codes/import': 'admin',
  'PUT /api/guilds/:guildId/codes/packages/:quantity': 'admin',
  'GET /api/guilds/:guildId/codes/settings': 'mod',
  'PATCH /api/guilds/:guildId/codes/settings': 'admin',
  // Group-rank binds (api/routes/verify.ts)
  'GET /api/guilds/:guildId/verify/binds': 'admin',
  'POST /api/guilds/:guildId/verify/binds': 'admin',
  'DELETE /api/guilds/:guildId/verify/binds/:bindId': 'admin',
  // Task cards, unpinning and saved embeds (api/routes/tasks.ts, announcements.ts, embeds.ts)
  'POST /api/guilds/:guildId/tasks/:taskId/announce': 'admin',
  'POST /api/guilds/:guildId/announcements/:announcementId/unpin': 'admin',
  'GET /api/guilds/:guildId/embeds': 'admin',
  'POST /api/guilds/:guildId/embeds': 'admin',
  'GET /api/guilds/:guildId/embeds/:name': 'admin',
  'PATCH /api/guilds/:guildId/embeds/:name': 'admin',
  'DELETE /api/guilds/:guildId/embeds/:name': 'admin',
  // Roblox game-server API (api/routes/roblox-game.ts): HMAC-signed by the game, never a token
  'GET /roblox/v1/links/:robloxUserId': 'game',
  'GET /roblox/v1/players/:robloxUserId/inventory': 'game',
  'POST /roblox/v1/deposits': 'game',
  'GET /roblox/v1/withdrawals': 'game',
  'POST /roblox/v1/withdrawals/:id/claim': 'game',
  'POST /roblox/v1/withdrawals/:id/confirm': 'game',
  'POST /roblox/v1/heartbeat': 'game',
  // Open and stuck flows (api/routes/flows.ts)
  'GET /api/guilds/:guildId/flows/open': 'mod',
  'GET /api/guilds/:guildId/flows/stuck': 'admin',
  'POST /api/guilds/:guildId/flows/:workflowId/retry': 'admin',
  'POST /api/guilds/:guildId/flows/:workflowId/cancel': 'admin',
  // Pad sessions (api/routes/pads.ts)
  'GET /api/guilds/:guildId/pads': 'mod',
  'GET /api/guilds/:guildId/pads/settings': 'mod',
  'PATCH /api/guilds/:guildId/pads/settings': 'admin',
  'GET /api/guilds/:guildId/pads/sessions': 'mod',
  'GET /api/guilds/:guildId/pads/stats': 'mod',
  'POST /api/guilds/:guildId/pads/:pad/end': 'admin',
  // Support tickets (api/routes/tickets.ts)
  'GET /api/guilds/:guildId/tickets/types': 'mod',
  'POST /api/guilds/:guildId/tickets/types': 'admin',
  'GET /api/guilds/:guildId/tickets/types/:typeId': 'mod',
  'PATCH /api/guilds/:guildId/tickets/types/:typeId': 'admin',
  'DELETE /api/guilds/:guildId/tickets/types/:typeId': 'admin',
  'GET /api/guilds/:guildId/tickets/settings': 'mod',
  'PATCH /api/guilds/:guildId/tickets/settings': 'admin',
  'GET /api/guilds/:guildId/tickets': 'mod',
  'GET /api/guilds/:guildId/tickets/stats': 'mod',
  'GET /api/guilds/:guildId/tickets/:ticketId': 'mod',
  'GET /api/guilds/:guildId/tickets/:ticketId/transcript': 'mod',
  'POST /api/guilds/:guildId/tickets/:ticketId/close': 'mod',
  // The admin dashboard (api/routes/discord-directory.ts, members.ts, bot-status.ts, features.ts)
  'GET /api/guilds/:guildId/channels': 'mod',
  'GET /api/guilds/:guildId/roles': 'mod',
  'GET /api/guilds/:guildId/members': 'mod',
  'GET /api/guilds/:guildId/members/:userId': 'mod',
  'GET /api/guilds/:guildId/bot-status': 'mod',
  'GET /api/guilds/:guildId/features': 'mod',
  'PATCH /api/guilds/:guildId/features': 'admin',
};

/** Values for path parameters: well-formed, pointing at nothing in particular. */
const PARAMS: Record<string, string> = {
  tokenId: '000000000000',
  userId: '300000000000000099',
  otherUserId: '300000000000000098',
  name: 'issuance',
  key: 'matrix-no-such-key',
  workflowId: 'matrix-no-such-flow',
};

let db: TestDatabase;
let server: Server;
let events: EventHub;
let temporal: TestTemporal;
let base: string;
let guild: string;
let routes: { method: string; path: string }[];
const tokens: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  guild = await createGuild(db.prisma);
  const other = await createGuild(db.prisma);
  for (const level of PERMISSION_LEVELS) {
    tokens[level] = (await createApiToken(db.prisma, { guildId: guild, name: level, level, createdBy: 'cli', creatorLevel: 'owner' })).token;
  }
  tokens.otherGuild = (await createApiToken(db.prisma, { guildId: other, name: 'other', level: 'owner', createdBy: 'cli', creatorLevel: 'owner' })).token;

  events = new EventHub({ databaseUrl: db.url, log: createLogger({ level: 'silent' }) });
  await events.start();
  // The stuck-flow routes ask Temporal (the run's dev server) whether a flow exists before anything else.
  temporal = await testTemporal();
  // Login configured (nothing reaches Discord: login only redirects there, a callback without its cookie goes home).
  const dashboardAuth = {
    sessionSecret: 'matrix-session-secret-0123456789abcdef',
    discord: { clientId: '300000000000000001', clientSecret: 'matrix-client-secret', apiUrl: 'http://127.0.0.1:9/api', redirectUri: 'http://127.0.0.1:9/api/auth/callback' },
  };
  // A Discord that knows none of the ids (the empty requests name none; the channel and role lists answer 404).
  const guildDirectory: GuildDirectory = {
    channel: async () => null,
    hasRole: async () => false,
    member: async () => null,
    grantsAdministrator: async () => false,
    channels: async () => null,
    roles: async () => null,
  };
  const app = createApp({ prisma: db.prisma, log: createLogger({ level: 'silent' }), readiness: [], events, temporal: temporal.client, dashboardAuth, guildDirectory });
  routes = app.middleware
    .map((mw) => (mw as { router?: Router }).router)
    .filter((r): r is Router => r !== undefined)
    .flatMap((router) =>
      router.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, path: layer.path as string }))),
    );
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await events?.stop();
  await temporal?.close();
  if (server) await new Promise((r) => server.close(r));
  await db?.drop();
});

const id = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

it('declares a level for every route the app serves, and every declared route exists', () => {
  expect(routes.length).toBeGreaterThan(10);
  const served = routes.map(id);
  expect({ missingFromTable: served.filter((r) => !(r in LEVELS)) }).toEqual({ missingFromTable: [] });
  expect({ notServed: Object.keys(LEVELS).filter((r) => !served.includes(r)) }).toEqual({ notServed: [] });
  expect(new Set(served).size).toBe(served.length);
});

async function request(method: string, path: string, token?: string): Promise<number> {
  const url = base + path.replace(/:(\w+)/g, (_, name: string) => (name === 'guildId' ? guild : (PARAMS[name] ?? '1')));
  const hasBody = !['GET', 'DELETE'].includes(method);
  const res = await fetch(url, {
    method,
    // A redirect (the login's, to Discord) is the answer, not a page to fetch.
    redirect: 'manual',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(hasBody ? { 'content-type': 'application/json' } : {}) },
    // An empty object: at most a 400 past the permission check, and nothing changes.
    body: hasBody ? '{}' : undefined,
  });
  // A live-events stream never ends by itself: its status is the answer.
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel();
  else await res.arrayBuffer();
  return res.status;
}

const CALLERS = ['none', 'invalid', 'otherGuild', ...PERMISSION_LEVELS] as const;

it('answers each route 401 / 403 / allowed exactly as its declared level says, for every kind of caller', async () => {
  const rows: string[] = [];
  const wrong: string[] = [];
  for (const route of routes) {
    const expected = LEVELS[id(route)];
    if (!expected) continue; // reported by the test above
    for (const caller of CALLERS) {
      const token = caller === 'none' ? undefined : caller === 'invalid' ? `gf_000000000000_${'x'.repeat(43)}` : tokens[caller];
      const status = await request(route.method, route.path, token);
      let want: string;
      if (expected === 'public') want = 'allowed';
      else if (expected === 'game') want = '401';
      else if (expected === 'session') want = status === 401 || status === 403 ? String(status) : '401 or 403';
      else if (caller === 'none' || caller === 'invalid') want = '401';
      else if (expected === 'person') want = '403';
      else if (caller === 'otherGuild') want = '403';
      else want = PERMISSION_LEVELS.indexOf(caller) >= PERMISSION_LEVELS.indexOf(expected) ? 'allowed' : '403';
      const got = status === 401 || status === 403 ? String(status) : 'allowed';
      rows.push(`${id(route)} as ${caller}: ${status}`);
      if (got !== want) wrong.push(`${id(route)} as ${caller}: expected ${want}, got ${status}`);
      // Past the check, the empty request is answered (a 400 or 404 at most), not a crash.
      else if (status >= 500) wrong.push(`${id(route)} as ${caller}: ${status} (server error)`);
    }
  }
  expect(wrong).toEqual([]);
  expect(rows.length).toBe(routes.length * CALLERS.length);
});
