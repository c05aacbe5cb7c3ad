import http from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { EventHub } from '../../lib/events/hub';
import type { EventStreamLimits } from '../../lib/events/stream-slots';
import { createLogger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';
import { connectSse, type SseClient } from './sse-client';

/**
 * GET /api/guilds/:guildId/events under load it should refuse: idle readers beyond the caps per token,
 * per guild and per process get a 429 (and a slot frees when a reader goes); a reader that stops reading
 * is dropped once its stream holds more than the bound, while the others keep getting every event.
 */
jest.setTimeout(120_000);

const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent' });
let db: TestDatabase;
let hub: EventHub;
let guildA: string;
let guildB: string;
const tokens: Record<'a1' | 'a2' | 'a3' | 'b1', string> = { a1: '', a2: '', a3: '', b1: '' };
const cleanup: (() => unknown)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  guildA = await createGuild(db.prisma);
  guildB = await createGuild(db.prisma);
  const admin = async (guildId: string, name: string) => (await createApiToken(db.prisma, { guildId, name, level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
  tokens.a1 = await admin(guildA, 'a1');
  tokens.a2 = await admin(guildA, 'a2');
  tokens.a3 = await admin(guildA, 'a3');
  tokens.b1 = await admin(guildB, 'b1');
  hub = new EventHub({ databaseUrl: db.url, log, pollMs: 100 });
  await hub.start();
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
afterAll(async () => {
  await hub?.stop();
  await db?.drop();
});

/** An API process with these stream limits (its own slots), on the shared hub. */
async function startApi(limits: EventStreamLimits): Promise<string> {
  const app = createApp({ prisma: db.prisma, log, readiness: [], events: hub, eventHeartbeatMs: 300, eventStreamLimits: limits });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Refusal {
  status: number;
  retryAfter: string | null;
  error: { code: string; message: string; details?: { scope: string; limit: number } };
}

/** Opens a stream: the reader when accepted (closed after the test), else the refusal as the client sees it. */
async function open(api: string, guildId: string, token: string): Promise<SseClient | Refusal> {
  const sse = await connectSse(`${api}/api/guilds/${guildId}/events`, { authorization: `Bearer ${token}` });
  if (sse.refusal === undefined) {
    cleanup.push(() => sse.close());
    return sse;
  }
  return { status: sse.status, retryAfter: sse.headers.get('retry-after'), error: (JSON.parse(sse.refusal) as { error: Refusal['error'] }).error };
}

async function reader(api: string, guildId: string, token: string): Promise<SseClient> {
  const r = await open(api, guildId, token);
  if (!('events' in r)) throw new Error(`expected a stream, got ${r.status}: ${r.error.message}`);
  return r;
}

async function refused(api: string, guildId: string, token: string): Promise<Refusal> {
  const r = await open(api, guildId, token);
  if ('events' in r) throw new Error('expected a refusal, got a stream');
  return r;
}

describe('caps on open streams', () => {
  it('refuses the reader beyond each cap with 429 and Retry-After, and frees a slot when a reader goes', async () => {
    const api = await startApi({ perProcess: 4, perGuild: 3, perToken: 2, maxBufferedBytes: 1024 * 1024 });

    const a1 = [await reader(api, guildA, tokens.a1), await reader(api, guildA, tokens.a1)];
    const overToken = await refused(api, guildA, tokens.a1);
    expect(overToken.status).toBe(429);
    expect(overToken.retryAfter).toBe('30');
    expect(overToken.error).toEqual({
      code: 'too_many_streams',
      message: 'This token already has 2 open event streams, the most one token may have: close one, or try again later.',
      details: { scope: 'token', limit: 2 },
    });

    await reader(api, guildA, tokens.a2);
    const overGuild = await refused(api, guildA, tokens.a3);
    expect([overGuild.status, overGuild.retryAfter, overGuild.error.details]).toEqual([429, '30', { scope: 'guild', limit: 3 }]);
    expect(overGuild.error.message).toBe('This guild already has 3 open event streams on this server, the most one guild may have: close one, or try again later.');

    await reader(api, guildB, tokens.b1);
    const overProcess = await refused(api, guildB, tokens.b1);
    expect([overProcess.status, overProcess.error.details]).toEqual([429, { scope: 'process', limit: 4 }]);
    expect(overProcess.error.message).toBe('This server already has 4 open event streams, the most it serves: try again later.');

    // The readers that were let in still get their guild's events.
    await db.prisma.$executeRawUnsafe(`SELECT gf_emit_event($1, 'probe', '{"n":"to-all"}'::jsonb)`, guildA);
    for (const c of a1) await c.waitFor((e) => e.event === 'probe' && e.data.includes('to-all'), 10_000, 'the probe event');

    // One of a1's readers goes: once the server sees it, its slot is free and a1 may open a stream again.
    a1[0]!.close();
    const again = await waitFor(
      async () => {
        const r = await open(api, guildA, tokens.a1);
        return 'events' in r ? r : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50, what: 'a slot to free after a reader left' },
    );
    expect(again.status).toBe(200);
    expect((await refused(api, guildA, tokens.a1)).error.details).toEqual({ scope: 'token', limit: 2 });
  });
});

describe('a reader that does not read', () => {
  it('is dropped once its stream holds more than the bound, while another reader gets every event', async () => {
    const maxBufferedBytes = 256 * 1024;
    const api = await startApi({ perProcess: 10, perGuild: 10, perToken: 1, maxBufferedBytes });
    const reading = await reader(api, guildA, tokens.a1);

    // A client that sends the request and then never takes a byte of the body.
    let received = 0;
    const stalled = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.get(`${api}/api/guilds/${guildA}/events`, { headers: { authorization: `Bearer ${tokens.a2}` } }, (res) => {
        res.pause();
        resolve(res);
      });
      req.on('error', reject);
      cleanup.push(() => req.destroy());
    });
    expect(stalled.statusCode).toBe(200);
    // Its stream holds its token's one slot.
    expect((await refused(api, guildA, tokens.a2)).error.details).toEqual({ scope: 'token', limit: 1 });

    // 1 MiB of events per round until the stalled reader's slot is free again (its token may have one stream).
    const pad = 'x'.repeat(64 * 1024);
    let sent = 0;
    let dropped = false;
    for (let round = 0; round < 64 && !dropped; round += 1) {
      await db.prisma.$executeRawUnsafe(`SELECT gf_emit_event($1, 'bulk', jsonb_build_object('n', n, 'pad', $2::text)) FROM generate_series($3::int, $4::int) AS n`, guildA, pad, sent + 1, sent + 16);
      sent += 16;
      await reading.waitFor((e) => e.event === 'bulk' && JSON.parse(e.data).data.n === sent, 20_000, `bulk event ${sent}`);
      dropped = 'events' in (await open(api, guildA, tokens.a2));
    }
    expect(dropped).toBe(true);

    // The reading client got every event, in order, once.
    const ns = reading.events.filter((e) => e.event === 'bulk').map((e) => (JSON.parse(e.data) as { data: { n: number } }).data.n);
    expect(ns).toEqual(Array.from({ length: sent }, (_, i) => i + 1));

    // The stalled one, reading at last, finds its stream cut short: what was already on the wire, then the end.
    const everything = sent * pad.length;
    await new Promise<void>((resolve) => {
      stalled.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= everything) resolve();
      });
      stalled.once('close', () => resolve());
      stalled.once('error', () => resolve());
      stalled.once('end', () => resolve());
      stalled.resume();
    });
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(everything);
  });
});
