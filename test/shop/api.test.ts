import { createLedger, systemAccount, userAccount } from '../../activities/ledger';
import { createApiToken } from '../../lib/api-tokens';
import { waitFor } from '../../lib/wait';
import type { purchase } from '../../workflows/purchase';
import { startE2E, type E2E } from '../e2e/harness';

/** The shop's API (api/routes/shop.ts) against the running stack: permissions, items, inventories, purchases. */
describe('shop API', () => {
  let e2e: E2E;
  let guildId: string;
  let tokens: { mod: string; admin: string };
  let seq = 0;

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    const make = async (level: 'mod' | 'admin') =>
      (await createApiToken(e2e.prisma, { guildId, name: `shop-${level}`, level, createdBy: 'test', creatorLevel: 'owner' })).token;
    tokens = { mod: await make('mod'), admin: await make('admin') };
  });
  afterAll(() => e2e?.close());

  const api = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId}/shop${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown> & { error?: { code: string; message: string } }) : undefined };
  };

  async function member(balance: bigint): Promise<string> {
    const u = e2e.discord.createUser({ username: `api-buyer-${(seq += 1)}` });
    e2e.discord.addMember(guildId, u.id);
    await createLedger(e2e.prisma).transfer({ guildId, key: `api-fund:${u.id}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(u.id), amount: balance });
    return u.id;
  }
  async function buy(userId: string, itemId: number, quantity = 1) {
    seq += 1;
    const purchaseId = `${Date.now()}${String(seq).padStart(4, '0')}`;
    const handle = await e2e.temporal.workflow.start<typeof purchase>('purchase', {
      taskQueue: e2e.taskQueue,
      workflowId: `purchase:${purchaseId}`,
      args: [{ purchaseId, requestKey: `api-test:${purchaseId}`, guildId, userId, itemId, quantity, memberRoleIds: [] }],
    });
    return { purchaseId, handle };
  }

  it('items: mods read, admins write (audited); members without a token and mods writing are refused', async () => {
    expect((await api('GET', '/items')).status).toBe(401);
    expect((await api('POST', '/items', tokens.mod, { name: 'Nope', price: 1 })).status).toBe(403);

    const created = await api('POST', '/items', tokens.admin, { name: 'Cape', price: '75', stock: 4, description: 'Red.' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Cape', price: '75', stock: 4, active: true, deletedAt: null });
    const id = created.body!.id as number;

    const listed = await api('GET', '/items', tokens.mod);
    expect(listed.status).toBe(200);
    expect(listed.body!.items).toEqual([expect.objectContaining({ id, name: 'Cape', price: '75' })]);

    expect((await api('PATCH', `/items/${id}`, tokens.mod, { price: 1 })).status).toBe(403);
    const patched = await api('PATCH', `/items/${id}`, tokens.admin, { price: 80, stock: null });
    expect(patched.body).toMatchObject({ price: '80', stock: null });

    const invalid = await api('POST', '/items', tokens.admin, { name: 'Bad', price: 5, roleDurationSeconds: 60 });
    expect(invalid.status).toBe(400);
    expect(invalid.body?.error?.message).toBe('A role duration needs a role: set the role the item gives, or clear the duration.');
    expect((await api('POST', '/items', tokens.admin, { name: 'cape', price: 5 })).body?.error?.code).toBe('item_name_taken');
    expect((await api('POST', '/items', tokens.admin, { name: 'Unknown field', price: 5, colour: 'red' })).status).toBe(400);

    expect((await api('DELETE', `/items/${id}`, tokens.admin)).status).toBe(204);
    expect((await api('GET', '/items', tokens.mod)).body!.items).toEqual([]);
    expect((await api('GET', '/items?includeRemoved=true', tokens.mod)).body!.items).toEqual([expect.objectContaining({ id, deletedAt: expect.any(String) })]);
    expect((await api('DELETE', `/items/${id}`, tokens.admin)).status).toBe(404);

    const audit = await e2e.prisma.auditEvent.findMany({ where: { guildId, targetType: 'shop_item', targetId: String(id) }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.action, a.actorType])).toEqual([
      ['shop_item.created', 'api_token'],
      ['shop_item.updated', 'api_token'],
      ['shop_item.removed', 'api_token'],
    ]);
  });

  it('inventory, purchases with filters and cursor pagination, one purchase with its workflow status', async () => {
    const potion = (await api('POST', '/items', tokens.admin, { name: 'Potion', price: 10 })).body!.id as number;
    const role = e2e.discord.createRole(guildId, { name: 'Timed VIP' });
    const vip = (await api('POST', '/items', tokens.admin, { name: 'VIP', price: 50, roleId: role.id, roleDurationSeconds: 4 })).body!.id as number;
    const rich = await member(1000n);
    const poor = await member(5n);

    const bought: Awaited<ReturnType<typeof buy>>[] = [];
    for (const [userId, quantity] of [[rich, 3], [rich, 1], [poor, 1]] as const) {
      const b = await buy(userId, potion, quantity);
      await b.handle.result(); // one after the other: their creation order is known
      bought.push(b);
    }
    const inv = await api('GET', `/inventory/${rich}`, tokens.mod);
    expect(inv.body).toEqual({ userId: rich, items: [{ itemId: potion, name: 'Potion', emoji: null, quantity: 4, removed: false }] });

    const failed = await api('GET', `/purchases?status=failed&itemId=${potion}`, tokens.mod);
    expect((failed.body!.items as { userId: string; failureReason: string }[]).map((p) => [p.userId, p.failureReason])).toEqual([
      [poor, 'You need 🪙 10 Coins but have 🪙 5 Coins available.'],
    ]);
    // Cursor pagination over the rich member's purchases: one per page, newest first, each exactly once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await api('GET', `/purchases?userId=${rich}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, tokens.mod);
      const items = page.body!.items as { id: string; total: string; status: string }[];
      seen.push(...items.map((p) => p.id));
      cursor = page.body!.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual([bought[1]!.purchaseId, bought[0]!.purchaseId]);
    expect((await api('GET', '/purchases?cursor=nonsense', tokens.mod)).status).toBe(400);

    // A running flow (a timed role) shows its Temporal status and its own status query.
    const timed = await buy(rich, vip);
    const running = await waitFor(
      async () => {
        const r = await api('GET', `/purchases/${timed.purchaseId}`, tokens.mod);
        return (r.body?.workflow as { state?: { step?: string } } | undefined)?.state?.step === 'role_active' ? r : undefined;
      },
      { timeoutMs: 10_000, what: 'the timed purchase to be role_active' },
    );
    expect(running.body).toMatchObject({ id: timed.purchaseId, status: 'completed', total: '50', workflow: { workflowId: `purchase:${timed.purchaseId}`, status: 'RUNNING', state: { status: 'completed' } } });
    await timed.handle.result();
    const done = await api('GET', `/purchases/${timed.purchaseId}`, tokens.mod);
    expect(done.body).toMatchObject({ status: 'role_expired', workflow: { status: 'COMPLETED', state: null } });
    expect((await api('GET', '/purchases/404', tokens.mod)).status).toBe(404);
  });
});
