import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createLogger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import { newMember, startPaymentsEnv, startTopup, type PaymentsEnv } from '../payments/helpers';
import { balance, fund, packageOf, startOrder } from './helpers';

/** The code shop and top-ups through the API: admin token writes, mod token reads, codes never returned. */
describe('orders, stock and top-ups API', () => {
  let env: PaymentsEnv;
  let server: Server;
  let base: string;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    env = await startPaymentsEnv();
    await env.startWorker();
    for (const level of ['mod', 'admin'] as const) {
      tokens[level] = (await createApiToken(env.prisma, { guildId: env.demo.guild.id, name: level, level, createdBy: 'cli', creatorLevel: 'owner' })).token;
    }
    const app = createApp({ prisma: env.prisma, log: createLogger({ level: 'silent' }), readiness: [], temporal: env.temporal.client, codes: env.keyring });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${env.demo.guild.id}`;
  });
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    await env?.close();
  });

  const call = async (method: string, path: string, level: 'mod' | 'admin', body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${tokens[level]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('imports codes (admin, audited), reports; a mod cannot; stock shows counts and packages only', async () => {
    const r = await call('POST', '/codes/import', 'admin', { codes: 'API-CODE-0001\nAPI-CODE-0002\nAPI-CODE-0001\nx' });
    expect(r).toEqual({ status: 200, body: { added: 2, duplicates: 1, invalid: [{ line: 4, reason: 'too short (at least 4 characters)' }], available: 2 } });
    expect((await call('POST', '/codes/import', 'mod', { codes: 'API-CODE-0003' })).status).toBe(403);
    const stock = await call('GET', '/codes/stock', 'mod');
    expect(stock.body.stock).toEqual({ available: 2, reserved: 0, delivered: 0 });
    expect(JSON.stringify(stock.body)).not.toContain('API-CODE');
    expect((stock.body.packages as { quantity: number }[]).map((p) => p.quantity)).toEqual([1, 5, 10, 25, 50]);
    expect(await env.prisma.auditEvent.count({ where: { guildId: env.demo.guild.id, action: 'codes.imported' } })).toBe(1);
    const set = await call('PUT', '/codes/packages/5', 'admin', { price: '42000' });
    expect(set.body).toMatchObject({ quantity: 5, price: '42000', active: true });
    expect((await call('PUT', '/codes/packages/5', 'admin', { price: -1 })).status).toBe(400);
  });

  it('lists orders and one with its workflow; processes a needs-admin order (refund) by signalling it', async () => {
    const user = newMember(env, 'api-buyer');
    const pkg = await packageOf(env, 1);
    await fund(env, user, pkg.price);
    env.discord.setDmsClosed(user, true);
    const h = await startOrder(env, { userId: user, packageId: pkg.id, deliveryTimeoutSeconds: 1, deliveryRetrySeconds: 1 });
    const orderId = h.workflowId.slice('order:'.length);
    // The flow answers needs_admin to a query before its activity writes the row the list reads.
    const list = await waitFor(
      async () => {
        const r = await call('GET', `/orders?status=needs_admin&userId=${user}`, 'mod');
        return (r.body.items as unknown[]).length > 0 ? r : null;
      },
      { timeoutMs: 15_000, what: 'the order listed as needs_admin' },
    );
    expect((list.body.items as { id: string }[]).map((o) => o.id)).toEqual([orderId]);
    const one = await call('GET', `/orders/${orderId}`, 'mod');
    expect(one.body).toMatchObject({ id: orderId, status: 'needs_admin', price: '10000', codes: { delivered: 1 }, workflow: { status: 'RUNNING', state: { status: 'needs_admin' } } });
    expect((await call('POST', `/orders/${orderId}/process`, 'mod', { action: 'refund' })).status).toBe(403);
    expect((await call('POST', `/orders/${orderId}/process`, 'admin', { action: 'bogus' })).status).toBe(400);
    expect((await call('POST', `/orders/${orderId}/process`, 'admin', { action: 'refund' })).status).toBe(202);
    expect(await h.result()).toMatchObject({ status: 'refunded' });
    expect(await balance(env, user)).toEqual({ balance: pkg.price, held: 0n, available: pkg.price });
    // Already refunded: a second process is refused and changes nothing.
    expect((await call('POST', `/orders/${orderId}/process`, 'admin', { action: 'complete' })).body).toMatchObject({ error: { code: 'order_not_waiting' } });
  });

  it('lists top-ups and shows one with its notifications and workflow', async () => {
    const user = newMember(env, 'api-payer');
    const t = await startTopup(env, { userId: user, amount: '19000' });
    const paymentId = t.workflowId.slice('topup:'.length);
    // Charged at the gateway and its 'pending' notification stored: what the payment and the list below need.
    await waitFor(async () => env.midtrans.charge(paymentId) !== undefined && (await env.prisma.paymentNotification.count({ where: { orderId: paymentId } })) >= 1, {
      timeoutMs: 10_000,
      what: 'the charge and its pending notification',
    });
    await env.midtrans.pay(paymentId);
    await t.result();
    const list = await call('GET', `/payments/topups?userId=${user}`, 'mod');
    expect(list.body.items).toEqual([expect.objectContaining({ id: paymentId, status: 'settled', amount: '19000', credit: '19000' })]);
    const one = await call('GET', `/payments/topups/${paymentId}`, 'mod');
    expect(one.body).toMatchObject({ id: paymentId, status: 'settled', workflow: { status: 'COMPLETED' } });
    expect((one.body.notifications as { transactionStatus: string }[]).map((n) => n.transactionStatus)).toEqual(['pending', 'settlement']);
    expect((await call('GET', '/payments/topups/nope', 'mod')).status).toBe(404);
  });
});
