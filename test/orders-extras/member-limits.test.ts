import { importCodes } from '../../activities/codes/stock';
import { createLedger, userAccount } from '../../activities/ledger';
import { createPayment } from '../../activities/payments';
import { createApiToken } from '../../lib/api-tokens';
import { createCodeKeyring } from '../../lib/crypto/codes';
import { orderFlow, type OrderInput, type OrderState } from '../../lib/flows/orders';
import { topupFlow, type TopupInput } from '../../lib/flows/payments';
import { waitFor } from '../../lib/wait';
import type { order } from '../../workflows/order';
import type { topup } from '../../workflows/topup';
import { CODE_ENCRYPTION_KEY, startE2E, type E2E } from '../e2e/harness';
import { buttons, fundedMember, orderAndConfirm } from './helpers';

/**
 * Per-member hourly limits, set by /stock settings: N orders (or top-ups) go through, the next is refused
 * with when to try again, and nothing exists for it — no order or payment row, no hold — also when two
 * start at once with one place left.
 */
describe('per-member hourly limits on orders and top-ups', () => {
  let e2e: E2E;
  let guildId: string;
  const keyring = createCodeKeyring({ id: 'e2e', key: Buffer.from(CODE_ENCRYPTION_KEY, 'base64') });
  const balance = (userId: string) => createLedger(e2e.prisma).balance(guildId, userAccount(userId), 'currency');

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    await e2e.prisma.guildSettings.update({ where: { guildId }, data: { adminRoleIds: [e2e.demo.roles.admin.id] } });
    await importCodes(e2e.prisma, keyring, guildId, Array.from({ length: 8 }, (_, i) => `LIMIT-CODE-${String(i).padStart(4, '0')}`).join('\n'));
    const set = e2e.discord.slash(guildId, e2e.demo.admin.id, 'stock', { orders_per_hour: 2, topups_per_hour: 2 }, { subcommand: 'settings' });
    await set.waitForResponse();
    expect(set.original()?.embeds[0]?.description).toContain('**Orders per member per hour:** 2\n**Top-ups per member per hour:** 2');
    expect(await e2e.prisma.codeShopSettings.findUniqueOrThrow({ where: { guildId } })).toMatchObject({ ordersPerMemberPerHour: 2, topupsPerMemberPerHour: 2 });
  });
  afterAll(() => e2e?.close());

  it('orders: two go through, the third is refused with the wait, and nothing is created or held for it', async () => {
    const user = await fundedMember(e2e, 'limit-orders', 50_000n);
    for (let i = 0; i < 2; i += 1) expect((await orderAndConfirm(e2e, user, 1)).result.status).toBe('completed');
    const before = await balance(user);
    const third = await orderAndConfirm(e2e, user, 1);
    expect(third.result).toMatchObject({ status: 'failed', failureReason: expect.stringMatching(/^You can place 2 orders per hour; try again in (59|60) minutes\.$/) });
    const told = await e2e.discord.waitFor(() => (third.slash.original()?.embeds[0]?.title === 'Order not placed' ? third.slash.original() : undefined), 5000, 'the refusal');
    expect(told.embeds[0]?.description).toMatch(/^You can place 2 orders per hour; try again in (59|60) minutes\./);
    expect(buttons(told)).toEqual([]);
    expect(await e2e.prisma.codeOrder.findUnique({ where: { id: third.orderId } })).toBeNull();
    expect(await e2e.prisma.codeOrder.count({ where: { guildId, userId: user } })).toBe(2);
    expect(await balance(user)).toEqual(before);
    expect(before.held).toBe(0n);
  });

  it('orders: two started at once for the last place make exactly one order', async () => {
    const user = await fundedMember(e2e, 'limit-race', 50_000n);
    expect((await orderAndConfirm(e2e, user, 1)).result.status).toBe('completed');
    const pkg = await e2e.prisma.codePackage.findFirstOrThrow({ where: { guildId, quantity: 1 } });
    const ids = ['910000000000000001', '910000000000000002'];
    const handles = await Promise.all(
      ids.map((orderId) =>
        e2e.temporal.workflow.start<typeof order>('order', {
          taskQueue: e2e.taskQueue,
          workflowId: orderFlow.id(orderId),
          args: [{ orderId, requestKey: `t:${orderId}`, guildId, userId: user, packageId: pkg.id, reply: null, topupWaitSeconds: 10, fundsRetrySeconds: 5, deliveryTimeoutSeconds: 30, deliveryRetrySeconds: 1 } satisfies OrderInput],
        }),
      ),
    );
    const results = (await Promise.all(handles.map((h) => h.result()))) as OrderState[];
    expect(results.map((r) => r.status).sort()).toEqual(['completed', 'failed']);
    expect(await e2e.prisma.codeOrder.count({ where: { guildId, userId: user } })).toBe(2);
    expect((await balance(user)).held).toBe(0n);
  });

  it('top-ups: two start, the third /topup is refused at once with the wait and starts nothing', async () => {
    const user = await fundedMember(e2e, 'limit-topups', 0n);
    for (let i = 0; i < 2; i += 1) {
      const h = e2e.discord.slash(guildId, user, 'topup', { amount: 10_000 });
      await h.waitForResponse();
      await e2e.discord.waitFor(() => (h.original()?.embeds[0]?.title === 'Top up Rp 10,000' ? true : undefined), 10_000, 'the QR code');
    }
    const third = e2e.discord.slash(guildId, user, 'topup', { amount: 10_000 });
    const answer = await third.waitForResponse();
    expect(answer.ephemeral).toBe(true);
    expect((answer.data as { content?: string }).content).toMatch(/^You can start 2 top-ups per hour; try again in (59|60) minutes\.$/);
    expect(await e2e.prisma.payment.count({ where: { guildId, userId: user } })).toBe(2);
    expect(await e2e.temporal.workflow.getHandle(topupFlow.id(`tp-${third.id}`)).describe().catch(() => null)).toBeNull();
  });

  it('top-ups: two created at once for the last place make one payment; a flow refused that way tells the member by DM', async () => {
    const user = await fundedMember(e2e, 'limit-topup-race', 0n);
    const base = { guildId, userId: user, provider: 'midtrans', amount: 10_000n };
    await createPayment(e2e.prisma, { ...base, id: 'race-0', requestKey: 'race-0' });
    const raced = await Promise.allSettled(['race-1', 'race-2'].map((id) => createPayment(e2e.prisma, { ...base, id, requestKey: id })));
    expect(raced.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = raced.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason as { failureType?: string; message: string };
    expect(refused).toMatchObject({ failureType: 'TopupLimitReached', message: expect.stringMatching(/^You can start 2 top-ups per hour/) });
    expect(await e2e.prisma.payment.count({ where: { guildId, userId: user } })).toBe(2);

    // The bot checks first; a top-up flow that meets the limit anyway (a race) ends refused and DMs the member.
    const h = await e2e.temporal.workflow.start<typeof topup>('topup', {
      taskQueue: e2e.taskQueue,
      workflowId: topupFlow.id('race-3'),
      args: [{ paymentId: 'race-3', requestKey: 'race-3', guildId, userId: user, amount: '10000', expirySeconds: 60, pollSeconds: 5, lateSettlementSeconds: 5, reply: null } satisfies TopupInput],
    });
    await expect(h.result()).rejects.toThrow();
    const dm = await waitFor(() => e2e.discord.dms(user).find((m) => m.embeds[0]?.title === 'Top-up not started'), { timeoutMs: 5000, what: 'the DM' });
    expect(dm.embeds[0]?.description).toMatch(/^You can start 2 top-ups per hour; try again in \d+ minutes?\.\n\nNothing was charged\.$/);
    expect(await e2e.prisma.payment.findUnique({ where: { id: 'race-3' } })).toBeNull();
  });

  it('the settings API reads (mod) and sets (admin, audited) the limits; 0 means unlimited; bad input changes nothing', async () => {
    const token = async (level: 'mod' | 'admin') => (await createApiToken(e2e.prisma, { guildId, name: `limits-${level}`, level, createdBy: 'cli', creatorLevel: 'owner' })).token;
    const [mod, admin] = [await token('mod'), await token('admin')];
    const call = async (method: string, bearer: string, body?: unknown) => {
      const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId}/codes/settings`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await call('GET', mod)).body).toMatchObject({ ordersPerMemberPerHour: 2, topupsPerMemberPerHour: 2, redeliveriesPerDay: 3 });
    expect((await call('PATCH', mod, { ordersPerMemberPerHour: 5 })).status).toBe(403);
    expect((await call('PATCH', admin, { ordersPerMemberPerHour: -1 })).status).toBe(400);
    expect((await call('PATCH', admin, { redeliveriesPerDay: 1, unknown: 1 })).status).toBe(400);
    const set = await call('PATCH', admin, { ordersPerMemberPerHour: 0, topupsPerMemberPerHour: 7, redeliveriesPerDay: 1 });
    expect(set).toEqual({ status: 200, body: expect.objectContaining({ ordersPerMemberPerHour: null, topupsPerMemberPerHour: 7, redeliveriesPerDay: 1 }) });
    expect(await e2e.prisma.codeShopSettings.findUniqueOrThrow({ where: { guildId } })).toMatchObject({ ordersPerMemberPerHour: null, topupsPerMemberPerHour: 7, redeliveriesPerDay: 1 });
    expect(await e2e.prisma.auditEvent.count({ where: { guildId, action: 'code_shop_settings.updated' } })).toBe(2);
  });
});
