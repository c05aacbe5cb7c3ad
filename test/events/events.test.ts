import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createApp } from '../../api/app';
import { createLedger, systemAccount, userAccount } from '../../activities/ledger';
import { addItem, editItem } from '../../activities/shop';
import { createApiToken } from '../../lib/api-tokens';
import { EventHub } from '../../lib/events/hub';
import { createLogger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startStallMeter, type StallMeter } from '../helpers/stall-meter';
import { createGuild } from '../helpers/ledger';
import { connectSse, type SseClient } from './sse-client';

/**
 * GET /api/guilds/:guildId/events across two API processes (two createApp servers, each with its own
 * event hub, on one database): a change made through B reaches a stream on A; Last-Event-ID resumes
 * without loss; heartbeats; the hub's stop() ends the streams so the server can close.
 */
jest.setTimeout(60_000);

interface Api {
  url: string;
  hub: EventHub;
  server: Server;
  stop(): Promise<void>;
}

const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent' });
let db: TestDatabase;
let guildId: string;
let admin: string;
let mod: string;
let a: Api;
let b: Api;
const clients: SseClient[] = [];
/** Latencies below are the code's: what this process's event loop was held up meanwhile is taken off. */
let stalls: StallMeter;

async function startApi(): Promise<Api> {
  const hub = new EventHub({ databaseUrl: db.url, log, pollMs: 100 });
  await hub.start();
  const app = createApp({ prisma: db.prisma, log, readiness: [], events: hub, eventHeartbeatMs: 300 });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hub,
    server,
    async stop() {
      await hub.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const user = (n: number) => `30000000000000${String(1000 + n)}`;

beforeAll(async () => {
  db = await createTestDatabase();
  guildId = await createGuild(db.prisma);
  admin = (await createApiToken(db.prisma, { guildId, name: 'admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
  mod = (await createApiToken(db.prisma, { guildId, name: 'mod', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' })).token;
  a = await startApi();
  b = await startApi();
  stalls = startStallMeter();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  stalls?.stop();
  await a?.stop();
  await b?.stop();
  await db?.drop();
});

async function stream(api: Api, headers: Record<string, string> = {}, token = admin): Promise<SseClient> {
  const c = await connectSse(`${api.url}/api/guilds/${guildId}/events`, { authorization: `Bearer ${token}`, ...headers });
  clients.push(c);
  return c;
}

async function adjustThrough(api: Api, userId: string, amount: number): Promise<{ balance: string; at: number }> {
  const at = Date.now();
  const res = await fetch(`${api.url}/api/guilds/${guildId}/economy/adjustments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId, amount: String(amount), reason: 'events test' }),
  });
  expect(res.status).toBe(201);
  return { ...((await res.json()) as { balance: string }), at };
}

type Move = { ownerType: string; ownerId: string; amount: string; balanceAfter: string | null; asset: string };
const movesOf = (e: { data: string }) => (JSON.parse(e.data) as { data: { moves: Move[] } }).data.moves;

it('needs an admin token for this guild', async () => {
  expect((await fetch(`${a.url}/api/guilds/${guildId}/events`)).status).toBe(401);
  const asMod = await fetch(`${a.url}/api/guilds/${guildId}/events`, { headers: { authorization: `Bearer ${mod}` } });
  expect(asMod.status).toBe(403);
  const bad = await fetch(`${a.url}/api/guilds/${guildId}/events`, { headers: { authorization: `Bearer ${admin}`, 'last-event-id': 'abc' } });
  expect(bad.status).toBe(400);
});

it('a balance change made through API process B reaches a stream on process A within a second, with its movement', async () => {
  const sse = await stream(a);
  expect(sse.status).toBe(200);
  const latencies: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const { balance, at } = await adjustThrough(b, user(1), 10 + i);
    const e = await sse.waitFor((x) => x.event === 'balance' && movesOf(x).some((m) => m.ownerId === user(1) && m.balanceAfter === balance), 10_000, `balance ${balance}`);
    raw.push(e.receivedAt - at);
    latencies.push(e.receivedAt - at - stalls.stalledMs(at, e.receivedAt));
    expect(movesOf(e)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ownerType: 'user', ownerId: user(1), amount: String(10 + i), asset: 'currency', balanceAfter: balance }),
        expect.objectContaining({ ownerType: 'system', ownerId: 'issuance', amount: String(-(10 + i)) }),
      ]),
    );
  }
  expect(Math.max(...latencies)).toBeLessThan(1000);
  process.stdout.write(`[sse latency] B adjustment → A stream: ${latencies.map((l, i) => `${l} ms (${raw[i]} ms with stalls)`).join(', ')} (poll 100 ms)\n`);
});

it('shop changes (NOTIFY) arrive as shop_item events on both processes', async () => {
  const onA = await stream(a);
  const onB = await stream(b);
  const t0 = Date.now();
  const it_ = await addItem(db.prisma, guildId, { name: `Live ${randomUUID().slice(0, 6)}`, price: 5n, stock: 2 }, { actorType: 'system', actorId: 'test' });
  await editItem(db.prisma, guildId, it_.id, { stock: 1 }, { actorType: 'system', actorId: 'test' });
  const latencies: number[] = [];
  const raw: number[] = [];
  for (const c of [onA, onB]) {
    const e = await c.waitFor((x) => x.event === 'shop_item' && JSON.parse(x.data).data.itemId === it_.id && JSON.parse(x.data).data.stock === 1, 10_000, 'the stock change');
    raw.push(e.receivedAt - t0);
    latencies.push(e.receivedAt - t0 - stalls.stalledMs(t0, e.receivedAt));
  }
  expect(Math.max(...latencies)).toBeLessThan(1000);
  process.stdout.write(`[sse latency] shop item add+edit → streams on A and B (NOTIFY): ${latencies.map((l, i) => `${l} ms (${raw[i]} ms with stalls)`).join(', ')}\n`);
  expect(onA.events.filter((x) => x.event === 'shop_item').map((x) => JSON.parse(x.data).data.op)).toEqual(['insert', 'update']);
});

it('resumes with Last-Event-ID without losing or repeating events, including changes made while disconnected', async () => {
  const ledger = createLedger(db.prisma);
  const first = await stream(a);
  const move = (n: number) =>
    ledger.transfer({ guildId, key: `sse:${randomUUID()}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(user(2)), amount: BigInt(n) });
  for (let n = 1; n <= 3; n += 1) await move(n);
  await first.waitFor((x) => x.event === 'balance' && movesOf(x).some((m) => m.ownerId === user(2) && m.amount === '3'), 10_000, 'the third movement');
  const seen = first.events.filter((x) => x.event === 'balance' && movesOf(x).some((m) => m.ownerId === user(2)));
  expect(seen.map((x) => movesOf(x).find((m) => m.ownerId === user(2))!.amount)).toEqual(['1', '2', '3']);
  const lastId = seen[seen.length - 1]!.id!;
  first.close();

  // Disconnected: four more movements, through the other process's database as much as this one's.
  for (let n = 4; n <= 7; n += 1) await move(n);
  const resumed = await stream(b, { 'last-event-id': lastId });
  for (let n = 8; n <= 9; n += 1) await move(n);
  await resumed.waitFor((x) => x.event === 'balance' && movesOf(x).some((m) => m.ownerId === user(2) && m.amount === '9'), 10_000, 'the ninth movement');
  const mine = resumed.events.filter((x) => x.event === 'balance' && movesOf(x).some((m) => m.ownerId === user(2)));
  expect(mine.map((x) => movesOf(x).find((m) => m.ownerId === user(2))!.amount)).toEqual(['4', '5', '6', '7', '8', '9']);
  const ids = resumed.events.filter((x) => x.id).map((x) => BigInt(x.id!));
  expect(ids.every((id) => id > BigInt(lastId))).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  expect(mine[mine.length - 1]!.data).toContain('"balanceAfter":"45"');
});

it('an event whose transaction commits after a later one is still delivered (ids are taken before commit)', async () => {
  const sse = await stream(a);
  const slow = new pg.Client({ connectionString: db.url });
  slow.on('error', () => undefined);
  await slow.connect();
  try {
    await slow.query('BEGIN');
    const { rows } = await slow.query<{ id: string }>(`SELECT gf_record_event($1, 'probe', '{"n":"slow"}'::jsonb)::text AS id`, [guildId]);
    await db.prisma.$executeRawUnsafe(`SELECT gf_emit_event($1, 'probe', '{"n":"fast"}'::jsonb)`, guildId);
    const fast = await sse.waitFor((x) => x.event === 'probe' && x.data.includes('"fast"'), 10_000, 'the later event');
    expect(BigInt(fast.id!)).toBeGreaterThan(BigInt(rows[0]!.id));
    await slow.query('COMMIT');
    const late = await sse.waitFor((x) => x.event === 'probe' && x.data.includes('"slow"'), 10_000, 'the earlier id, committed later');
    expect(late.id).toBe(rows[0]!.id);
  } finally {
    await slow.end();
  }
});

it('sends heartbeats while nothing happens', async () => {
  const sse = await stream(a);
  const heartbeats = () => sse.comments.filter((c) => c.startsWith('heartbeat')).length;
  await waitFor(() => heartbeats() >= 2, { timeoutMs: 10_000, intervalMs: 20, what: 'two heartbeats (one each 300 ms)' });
});

it('a Last-Event-ID older than the kept events gets a reset event', async () => {
  await db.prisma.$executeRawUnsafe('DELETE FROM events WHERE id < (SELECT max(id) FROM events)');
  const sse = await stream(a, { 'last-event-id': '1' });
  const reset = await sse.waitFor((x) => x.event === 'reset', 10_000, 'reset');
  expect(JSON.parse(reset.data).reason).toMatch(/no longer kept/);
});

it('the events table stays bounded: every 1000th event trims what is over 100,000 events old', async () => {
  await db.prisma.$executeRawUnsafe(`SELECT gf_record_event('1', 'bound-test', '{}'::jsonb) FROM generate_series(1, 101500)`);
  const [counts] = await db.prisma.$queryRawUnsafe<{ n: bigint; span: bigint }[]>('SELECT count(*) AS n, max(id) - min(id) AS span FROM events');
  const { n, span } = counts!;
  expect(Number(span)).toBeLessThan(101_000);
  expect(Number(n)).toBeLessThan(101_000);
  expect(Number(n)).toBeGreaterThan(99_000);
});

it('stopping the hub ends every open stream, so the API server closes at once', async () => {
  const c = await startApi();
  const s1 = await stream(c);
  const s2 = await stream(c);
  const t0 = Date.now();
  await c.stop();
  await Promise.all([s1.closed, s2.closed]);
  const t1 = Date.now();
  expect(t1 - t0 - stalls.stalledMs(t0, t1)).toBeLessThan(2000);
  expect([...s1.errors, ...s2.errors]).toEqual([]);
});
