import { codesForDelivery, stockCounts } from '../../activities/codes/stock';
import { waitFor } from '../../lib/wait';
import { fundsAddedSignal, orderAdminSignal, orderStatusQuery } from '../../lib/flows/orders';
import { newMember, startPaymentsEnv, type PaymentsEnv } from '../payments/helpers';
import { addCodes, balance, fund, packageOf, sinkBalance, startOrder, uniqueCodes } from './helpers';
import { domainMismatches } from '../../activities/ledger/consistency';
import { poolOf } from '../../prisma/transactions';

/**
 * The order workflow at worker level: real workflow and activities (ledger, encrypted stock, Discord
 * REST against the fake Discord). Each test checks balances, the stock, the order row, the hold and what
 * the member received; every compensation path is forced.
 */
describe('order workflow', () => {
  let env: PaymentsEnv;
  let guildId: string;
  beforeAll(async () => {
    env = await startPaymentsEnv();
    guildId = env.demo.guild.id;
    await env.startWorker();
  });
  afterAll(() => env?.close());

  const orderRow = (id: string) => env.prisma.codeOrder.findUniqueOrThrow({ where: { id } });
  const hold = (id: string) => env.prisma.journalEntry.findUnique({ where: { idempotencyKey: `order:${id}:hold` } });
  const codesOf = (id: string) => env.prisma.code.findMany({ where: { orderId: id }, orderBy: { id: 'asc' } });
  const dmsText = (user: string) => env.discord.dms(user).map((m) => JSON.stringify(m.embeds) + m.attachments.map((a) => a.data.toString('utf8')).join(''));

  it('happy path: holds, reserves, DMs the code, posts the hold, completes', async () => {
    const user = newMember(env, 'buyer');
    const pkg = await packageOf(env, 1);
    await fund(env, user, 50_000n);
    const codes = uniqueCodes(3);
    await addCodes(env, codes);
    const sinkBefore = await sinkBalance(env);
    const h = await startOrder(env, { userId: user, packageId: pkg.id });
    const orderId = h.workflowId.slice('order:'.length);
    const result = await h.result();
    expect(result).toMatchObject({ orderId, status: 'completed', step: 'done', deliveredVia: 'dm', failureReason: null });
    expect(await balance(env, user)).toEqual({ balance: 40_000n, held: 0n, available: 40_000n });
    expect((await sinkBalance(env)) - sinkBefore).toBe(10_000n);
    expect((await hold(orderId))?.status).toBe('posted');
    expect(await orderRow(orderId)).toMatchObject({ status: 'completed', deliveredVia: 'dm', quantity: 1, price: 10_000n });
    const mine = await codesOf(orderId);
    expect(mine.map((c) => c.status)).toEqual(['delivered']);
    const dm = env.discord.dms(user).find((m) => m.embeds[0]?.title === 'Your 1 code')!;
    const [got] = await codesForDelivery(env.prisma, env.keyring, orderId);
    expect(codes).toContain(got);
    expect(dm.embeds[0]?.description).toContain(`\`\`\`\n${got}\n\`\`\``);
    expect(dm.embeds[0]?.footer?.text).toBe(`Guildflow · order:${orderId}`);
    const receipt = await env.discord.waitFor(() => env.discord.dms(user).find((m) => m.embeds[0]?.title === 'Order complete'), 5000, 'receipt');
    expect(receipt.embeds[0]?.description).toContain('by direct message');
    const d = await h.describe();
    expect(d.searchAttributes).toMatchObject({ GuildId: [guildId], DiscordUserId: [user], FlowKind: ['order'] });
  });

  it('many codes go as a .txt file', async () => {
    const user = newMember(env, 'bulk');
    const pkg = await packageOf(env, 25);
    await fund(env, user, pkg.price);
    const codes = uniqueCodes(25);
    await addCodes(env, codes);
    const h = await startOrder(env, { userId: user, packageId: pkg.id });
    const orderId = h.workflowId.slice('order:'.length);
    expect(await h.result()).toMatchObject({ status: 'completed' });
    const dm = env.discord.dms(user).find((m) => m.attachments.length)!;
    expect(dm.attachments[0]?.filename).toBe(`codes-${orderId}.txt`);
    const sent = dm.attachments[0]!.data.toString('utf8').trim().split('\n');
    expect(sent).toHaveLength(25);
    expect(new Set(sent).size).toBe(25);
    expect(JSON.stringify(dm.embeds)).not.toContain('RDF-');
    expect(await balance(env, user)).toMatchObject({ balance: 0n });
  });

  it('out of stock: the hold is voided, nothing reserved or charged, the member is told', async () => {
    const user = newMember(env, 'unlucky');
    const pkg = await packageOf(env, 50);
    await fund(env, user, pkg.price);
    const stockBefore = await stockCounts(env.prisma, guildId);
    const h = await startOrder(env, { userId: user, packageId: pkg.id });
    const orderId = h.workflowId.slice('order:'.length);
    const result = await h.result();
    expect(result).toMatchObject({ status: 'failed' });
    expect(result.failureReason).toMatch(/not enough codes in stock/);
    expect(await balance(env, user)).toEqual({ balance: pkg.price, held: 0n, available: pkg.price });
    expect((await hold(orderId))?.status).toBe('voided');
    expect(await codesOf(orderId)).toEqual([]);
    expect(await stockCounts(env.prisma, guildId)).toEqual(stockBefore);
    expect(await orderRow(orderId)).toMatchObject({ status: 'failed' });
    const told = await env.discord.waitFor(() => env.discord.dms(user).find((m) => m.embeds[0]?.title?.startsWith('Order failed')), 5000, 'told');
    expect(told.embeds[0]?.description).toContain('Nothing was charged');
  });

  it('20 concurrent orders for 10 codes: exactly 10 fulfilled, 10 refunded, no code twice', async () => {
    // Drain what earlier tests left, then stock exactly 10.
    const pkg = await packageOf(env, 1);
    const left = (await stockCounts(env.prisma, guildId)).available;
    if (left) {
      const drain = newMember(env, 'drain');
      await fund(env, drain, pkg.price * BigInt(left));
      await Promise.all(Array.from({ length: left }, () => startOrder(env, { userId: drain, packageId: pkg.id }).then((h) => h.result())));
    }
    expect((await stockCounts(env.prisma, guildId)).available).toBe(0);
    const codes = uniqueCodes(10, 'race');
    await addCodes(env, codes);
    const users = Array.from({ length: 20 }, (_, i) => newMember(env, `racer-${i}`));
    for (const u of users) await fund(env, u, pkg.price);
    const handles = await Promise.all(users.map((u) => startOrder(env, { userId: u, packageId: pkg.id })));
    const results = await Promise.all(handles.map((h) => h.result()));
    expect(results.filter((r) => r.status === 'completed')).toHaveLength(10);
    expect(results.filter((r) => r.status === 'failed')).toHaveLength(10);
    const delivered: string[] = [];
    for (const [i, u] of users.entries()) {
      const b = await balance(env, u);
      const got = codes.filter((c) => dmsText(u).some((t) => t.includes(c)));
      if (results[i]!.status === 'completed') {
        expect(b).toEqual({ balance: 0n, held: 0n, available: 0n });
        expect(got).toHaveLength(1);
        delivered.push(...got);
      } else {
        expect(b).toEqual({ balance: pkg.price, held: 0n, available: pkg.price });
        expect(got).toEqual([]);
      }
    }
    expect(new Set(delivered).size).toBe(10);
    expect([...delivered].sort()).toEqual([...codes].sort());
    expect(await stockCounts(env.prisma, guildId)).toMatchObject({ available: 0, reserved: 0 });
  });

  it('a short balance waits for funds: told, then the order goes ahead when funded (signal)', async () => {
    const user = newMember(env, 'short');
    const pkg = await packageOf(env, 1);
    await addCodes(env, uniqueCodes(1));
    await fund(env, user, 4_000n);
    const h = await startOrder(env, { userId: user, packageId: pkg.id, topupWaitSeconds: 60, fundsRetrySeconds: 60 });
    const orderId = h.workflowId.slice('order:'.length);
    // The flow's state changes before its activity writes the row: wait for the row itself.
    await waitFor(async () => (await orderRow(orderId)).status === 'awaiting_funds', { timeoutMs: 10_000, what: 'the order row awaiting funds' });
    expect((await h.query(orderStatusQuery)).status).toBe('awaiting_funds');
    const told = await env.discord.waitFor(() => env.discord.dms(user).find((m) => m.embeds[0]?.title === 'Not enough balance for 1 code'), 5000, 'told');
    expect(told.embeds[0]?.description).toContain('you have **🪙 4,000 Coins** available');
    await fund(env, user, 6_000n);
    await h.signal(fundsAddedSignal);
    expect(await h.result()).toMatchObject({ status: 'completed' });
    expect(await balance(env, user)).toMatchObject({ balance: 0n });
  });

  it('a short balance that stays short: the order is cancelled at the timeout, nothing held or reserved', async () => {
    const user = newMember(env, 'broke');
    const pkg = await packageOf(env, 1);
    await addCodes(env, uniqueCodes(1));
    const stockBefore = await stockCounts(env.prisma, guildId);
    const h = await startOrder(env, { userId: user, packageId: pkg.id, topupWaitSeconds: 2, fundsRetrySeconds: 1 });
    const orderId = h.workflowId.slice('order:'.length);
    const result = await h.result();
    expect(result).toMatchObject({ status: 'failed' });
    expect(result.failureReason).toMatch(/balance was not enough/);
    expect(await hold(orderId)).toBeNull();
    expect(await stockCounts(env.prisma, guildId)).toEqual(stockBefore);
  });

  it('DMs closed and no interaction to follow up: needs an admin after the timeout; refund voids the hold, shown codes never return to stock', async () => {
    const user = newMember(env, 'closed');
    const pkg = await packageOf(env, 1);
    await fund(env, user, pkg.price);
    await addCodes(env, uniqueCodes(1));
    env.discord.setDmsClosed(user, true);
    const h = await startOrder(env, { userId: user, packageId: pkg.id, deliveryTimeoutSeconds: 2, deliveryRetrySeconds: 1 });
    const orderId = h.workflowId.slice('order:'.length);
    await waitFor(async () => (await orderRow(orderId)).status === 'needs_admin', { timeoutMs: 15_000, what: 'the order row needing an admin' });
    expect((await h.query(orderStatusQuery)).status).toBe('needs_admin');
    expect(await balance(env, user)).toEqual({ balance: pkg.price, held: pkg.price, available: 0n });
    expect((await codesOf(orderId)).map((c) => c.status)).toEqual(['delivered']);
    const notice = await env.discord.waitFor(() => env.discord.messages(env.demo.channels.adminLog.id).find((m) => m.embeds[0]?.description?.includes(orderId)), 5000, 'admin notice');
    expect(notice.embeds[0]?.title).toBe('Order needs an admin');
    const stockBefore = await stockCounts(env.prisma, guildId);
    await h.signal(orderAdminSignal, { action: 'refund', by: 'test-admin' });
    expect(await h.result()).toMatchObject({ status: 'refunded' });
    expect(await balance(env, user)).toEqual({ balance: pkg.price, held: 0n, available: pkg.price });
    expect((await hold(orderId))?.status).toBe('voided');
    // The code may have been shown (an attempt was made): it stays out of stock.
    expect((await codesOf(orderId)).map((c) => c.status)).toEqual(['delivered']);
    expect(await stockCounts(env.prisma, guildId)).toEqual(stockBefore);
    expect(await orderRow(orderId)).toMatchObject({ status: 'refunded' });
  });

  it('needs an admin, then retry once DMs open: delivered and charged once', async () => {
    const user = newMember(env, 'retry');
    const pkg = await packageOf(env, 1);
    await fund(env, user, pkg.price);
    await addCodes(env, uniqueCodes(1));
    env.discord.setDmsClosed(user, true);
    const h = await startOrder(env, { userId: user, packageId: pkg.id, deliveryTimeoutSeconds: 1, deliveryRetrySeconds: 1 });
    // The row is written after the flow's state changes: once it says needs_admin, the flow waits for an admin.
    await waitFor(async () => (await orderRow(h.workflowId.slice('order:'.length))).status === 'needs_admin', { timeoutMs: 15_000, what: 'the order row needing an admin' });
    env.discord.setDmsClosed(user, false);
    await h.signal(orderAdminSignal, { action: 'retry', by: 'test-admin' });
    expect(await h.result()).toMatchObject({ status: 'completed', deliveredVia: 'dm' });
    const [code] = await codesForDelivery(env.prisma, env.keyring, h.workflowId.slice('order:'.length));
    expect(dmsText(user).filter((t) => t.includes(code!))).toHaveLength(1);
    expect(await balance(env, user)).toMatchObject({ balance: 0n, held: 0n });
  });

  it('cancelled while waiting for an admin: the hold is voided, the order failed, shown codes stay out of stock', async () => {
    const user = newMember(env, 'cancelled');
    const pkg = await packageOf(env, 1);
    await fund(env, user, pkg.price);
    await addCodes(env, uniqueCodes(1));
    env.discord.setDmsClosed(user, true);
    const h = await startOrder(env, { userId: user, packageId: pkg.id, deliveryTimeoutSeconds: 1, deliveryRetrySeconds: 1 });
    const orderId = h.workflowId.slice('order:'.length);
    // Waiting for an admin: the row is written (a cancel during that write could race its compensation).
    await waitFor(async () => (await orderRow(orderId)).status === 'needs_admin', { timeoutMs: 15_000, what: 'the order row needing an admin' });
    const stockBefore = await stockCounts(env.prisma, guildId);
    await h.cancel();
    await expect(h.result()).rejects.toThrow();
    expect((await h.describe()).status.name).toBe('CANCELLED');
    expect(await orderRow(orderId)).toMatchObject({ status: 'failed', failureReason: 'The order was cancelled.' });
    expect((await hold(orderId))?.status).toBe('voided');
    expect(await balance(env, user)).toEqual({ balance: pkg.price, held: 0n, available: pkg.price });
    expect((await codesOf(orderId)).map((c) => c.status)).toEqual(['delivered']);
    expect(await stockCounts(env.prisma, guildId)).toEqual(stockBefore);
  });

  it('codes never appear in the logs', () => {
    const all = env.logs.join('\n');
    expect(all).toContain('order delivered');
    expect(all).not.toMatch(/RDF-/);
  });
  it('afterwards, every finished purchase and order of the guild agrees with its hold (none charged for nothing, none delivered unpaid)', async () => {
    expect(await domainMismatches(poolOf(env.prisma), guildId)).toEqual([]);
  });
});
