import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensurePackages } from '../../activities/codes/packages';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createLogger } from '../../lib/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';

/**
 * The edges of the code shop and top-up lists without Temporal: one pagination style (cursor + limit,
 * nextCursor) with the deprecated `before`/`next` still answered, and a flow's status that cannot be
 * read answered 503 `temporal_unavailable`.
 */
describe('orders and top-ups API: pagination and an unreachable Temporal', () => {
  let db: TestDatabase;
  let server: Server;
  let base: string;
  let token: string;
  const orderIds = ['o-1', 'o-2', 'o-3', 'o-4', 'o-5'];
  const paymentIds = ['tp-1', 'tp-2', 'tp-3'];
  const user = '200000000000000042';

  beforeAll(async () => {
    db = await createTestDatabase();
    const guildId = await createGuild(db.prisma);
    const [pkg] = await ensurePackages(db.prisma, guildId);
    // One second apart, oldest first: the lists answer newest first.
    const at = (i: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, i));
    for (const [i, id] of orderIds.entries()) {
      await db.prisma.codeOrder.create({
        data: { id, guildId, userId: user, packageId: pkg!.id, quantity: pkg!.quantity, price: pkg!.price, assetCode: 'currency', requestKey: `order:${id}`, status: 'needs_admin', createdAt: at(i) },
      });
    }
    for (const [i, id] of paymentIds.entries()) {
      await db.prisma.payment.create({ data: { id, guildId, userId: user, provider: 'midtrans', amount: 10000n, credit: 10000n, assetCode: 'currency', requestKey: `topup:${id}`, createdAt: at(i) } });
    }
    token = (await createApiToken(db.prisma, { guildId, name: 'admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
    const app = createApp({ prisma: db.prisma, log: createLogger({ level: 'silent' }), readiness: [] });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${guildId}`;
  });
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    await db?.drop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as { items: { id: string }[]; nextCursor: string | null; next: string | null; error?: { code: string } } };
  };
  const ids = (r: { body: { items: { id: string }[] } }) => r.body.items.map((i) => i.id);

  it.each([
    ['/orders', orderIds],
    ['/payments/topups', paymentIds],
  ])('%s pages with cursor + limit; the deprecated before/next still work alongside', async (path, all) => {
    const newestFirst = [...all].reverse();
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const r = await call('GET', `${path}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      pages.push(ids(r));
      // `next` is the page's last id while there is more, as before.
      expect(r.body.next).toBe(r.body.nextCursor ? ids(r).at(-1) : null);
      if (r.body.next) expect(ids(await call('GET', `${path}?limit=2&before=${r.body.next}`))).toEqual(ids(await call('GET', `${path}?limit=2&cursor=${r.body.nextCursor}`)));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(pages.flat()).toEqual(newestFirst);
    expect(pages[0]).toHaveLength(2);

    const first = await call('GET', `${path}?limit=2`);
    expect((await call('GET', `${path}?limit=2&cursor=${first.body.nextCursor}&before=${first.body.next}`)).status).toBe(400);
    expect((await call('GET', `${path}?before=nope`)).status).toBe(404);
    expect((await call('GET', `${path}?cursor=nope`)).status).toBe(400);
  });

  it('a flow status that cannot be read is 503 temporal_unavailable, not a placeholder', async () => {
    for (const path of [`/orders/${orderIds[0]}`, `/payments/topups/${paymentIds[0]}`]) {
      expect(await call('GET', path)).toMatchObject({ status: 503, body: { error: { code: 'temporal_unavailable' } } });
    }
    expect(await call('POST', `/orders/${orderIds[0]}/process`, { action: 'refund' })).toMatchObject({ status: 503, body: { error: { code: 'temporal_unavailable' } } });
    // Nothing was audited: the decision never reached the order.
    expect(await db.prisma.auditEvent.count({ where: { targetId: orderIds[0] } })).toBe(0);
  });
});
