import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tradeTimings } from '../../activities/card-trades';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createLogger } from '../../lib/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';

/**
 * The server's card trade timings over HTTP (admins): defaults until changed, a change kept in card_settings
 * and used for trades proposed from then on (tradeTimings), bad values refused with nothing changed.
 */
describe('card trade settings API', () => {
  let db: TestDatabase;
  let server: Server;
  let base: string;
  let guildId: string;
  let admin: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    guildId = await createGuild(db.prisma);
    admin = (await createApiToken(db.prisma, { guildId, name: 'admin', level: 'admin', createdBy: 'test', creatorLevel: 'owner' })).token;
    const app = createApp({ prisma: db.prisma, log: createLogger({ level: 'silent' }), readiness: [] });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${guildId}/cards/settings`;
  }, 120_000);
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    await db?.drop();
  });

  const call = async (method: string, body?: unknown) => {
    const res = await fetch(base, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field
    return { status: res.status, body: (await res.json()) as any };
  };

  it('defaults, then a changed receipts deadline used for new trades; bad values refused', async () => {
    expect(await call('GET')).toEqual({ status: 200, body: { proposalExpiryHours: 120, reminderHours: 24, confirmDays: 14 } });
    expect((await tradeTimings(db.prisma, guildId)).confirmSeconds).toBe(14 * 86_400);

    expect(await call('PATCH', { confirmDays: 3 })).toEqual({ status: 200, body: { proposalExpiryHours: 120, reminderHours: 24, confirmDays: 3 } });
    expect(await db.prisma.cardSettings.findUniqueOrThrow({ where: { guildId } })).toMatchObject({ confirmDays: 3 });
    expect(await tradeTimings(db.prisma, guildId)).toEqual({ expirySeconds: 120 * 3600, reminderSeconds: 24 * 3600, confirmSeconds: 3 * 86_400 });

    expect((await call('PATCH', { confirmDays: 0 })).status).toBe(400);
    expect((await call('PATCH', { proposalExpiryHours: 12 })).body.error.message).toMatch(/reminder comes before the expiry/);
    expect((await call('GET')).body).toEqual({ proposalExpiryHours: 120, reminderHours: 24, confirmDays: 3 });
  }, 120_000);
});
