import type { WorkflowHandle } from '@temporalio/client';
import { domainMismatches } from '../../activities/ledger/consistency';
import { createLedger } from '../../activities/ledger';
import type { Patience } from '../../lib/flows/flow';
import { orderHoldKey } from '../../lib/flows/orders';
import { waitFor } from '../../lib/wait';
import { poolOf } from '../../prisma/transactions';
import { expectWentThrough, waitUntilStuck } from '../helpers/stuck-flows';
import { paymentsWorkerOptions, startOutageWorker, type DatabaseCut, type OutageWorker } from '../helpers/outage';
import { addCodes, balance, fund, packageOf, sinkBalance, startOrder, uniqueCodes } from '../orders/helpers';
import { newMember, newPaymentId, startPaymentsEnv, startTopup, type PaymentsEnv } from '../payments/helpers';
import { item, startPurchase } from '../shop/helpers';

/**
 * The database goes away right after a money step committed — its reply never reaches the flow — and
 * stays away longer than a round of retries (`stuckAfterSeconds`). The flow must neither give up nor
 * half-finish: it is marked stuck while the database is away, then goes through with the money moved
 * exactly once, the member told the truth, and the ledger agreeing with every domain row.
 */
const PATIENCE: Patience = { stuckAfterSeconds: 2, retryEverySeconds: 1 };
/** Longer than a round: every flow below is stuck for a while. */
const DOWN_MS = 6000;

/** Each money step the database is cut after: its activity and the step a stuck flow names. */
const PURCHASE_CUTS = [
  ['shopHoldAndTakeStock', 'hold the price and take the stock'],
  ['shopAddToInventoryAndCharge', 'add to the inventory and charge'],
] as const;
const ORDER_CUTS = [
  ['ledgerHold', 'hold the price'],
  ['ordersReserveCodes', 'reserve the codes'],
  ['ordersComplete', 'charge and complete the order'],
] as const;
/** The purchase and order cuts, and the top-up's. */
const CUTS = PURCHASE_CUTS.length + ORDER_CUTS.length + 1;

describe('a database outage right after a money step', () => {
  let env: PaymentsEnv;
  let worker: OutageWorker;
  let guildId: string;
  const outages: DatabaseCut[] = [];

  beforeAll(async () => {
    env = await startPaymentsEnv();
    worker = await startOutageWorker(paymentsWorkerOptions(env));
    guildId = env.demo.guild.id;
    // A worker that has posted in the admin log before knows where it is while the database is away.
    await worker.activities.discordPostAdminLog({ guildId, message: { content: 'Guildflow worker online' } });
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.close();
  });

  const adminLog = () => ({ discord: env.discord, channelId: env.demo.channels.adminLog.id });

  /** Stuck while the database is away (query, search attribute, admin log); the outage, once it is over. */
  async function stuckDuring(handle: WorkflowHandle, outage: Promise<DatabaseCut>, step: string): Promise<DatabaseCut> {
    expect(await waitUntilStuck(handle, step, adminLog())).toMatchObject({ step });
    const o = await outage;
    expect(o.restoredAt - o.cutAt).toBeGreaterThan(PATIENCE.stuckAfterSeconds * 1000);
    outages.push(o);
    return o;
  }

  const entry = (key: string) => env.prisma.journalEntry.findUnique({ where: { idempotencyKey: key } });

  describe('purchase', () => {
    it.each(PURCHASE_CUTS)('cut after %s: completes, charged once, stock taken once', async (activity, step) => {
      const user = newMember(env, 'buyer');
      await fund(env, user, 1000n);
      const it = await item(env, { price: 300n, stock: 5 });
      const sinkBefore = await sinkBalance(env);
      const outage = worker.cutAfter(activity, { downMs: DOWN_MS });
      const handle = await startPurchase(env, { itemId: it.id, userId: user, quantity: 2, patience: PATIENCE });

      await stuckDuring(handle, outage, step);
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', failureReason: null });
      expect(await balance(env, user)).toEqual({ balance: 400n, held: 0n, available: 400n });
      expect((await sinkBalance(env)) - sinkBefore).toBe(600n);
      expect((await env.prisma.shopItem.findUniqueOrThrow({ where: { id: it.id } })).stock).toBe(3);
      expect(await env.prisma.purchase.findUniqueOrThrow({ where: { id: result.purchaseId } })).toMatchObject({ status: 'completed', stockTaken: true });
      expect((await entry(`purchase:${result.purchaseId}:hold`))?.status).toBe('posted');
      // The member heard what happened, and only that.
      const dms = await env.discord.waitFor(() => {
        const m = env.discord.dms(user).filter((x) => x.embeds[0]?.footer?.text?.includes(result.purchaseId));
        return m.length ? m : undefined;
      }, 10_000, 'the DM');
      expect(dms.map((m) => m.embeds[0]?.title)).toEqual(['Purchase complete']);
      await expectWentThrough(handle, adminLog());
      expect((await handle.describe()).status.name).toBe('COMPLETED');
    });
  });

  describe('code order', () => {
    it.each(ORDER_CUTS)('cut after %s: completes, charged once, one set of codes delivered', async (activity, step) => {
      const pkg = await packageOf(env, 5);
      await addCodes(env, uniqueCodes(5));
      const user = newMember(env, 'orderer');
      await fund(env, user, BigInt(pkg.price) + 50n);
      const outage = worker.cutAfter(activity, { downMs: DOWN_MS });
      const handle = await startOrder(env, { userId: user, packageId: pkg.id, patience: PATIENCE });

      await stuckDuring(handle, outage, step);
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', deliveredVia: 'dm' });
      expect(await balance(env, user)).toEqual({ balance: 50n, held: 0n, available: 50n });
      expect((await entry(orderHoldKey(result.orderId)))?.status).toBe('posted');
      expect(await env.prisma.code.count({ where: { orderId: result.orderId } })).toBe(5);
      expect((await env.prisma.codeOrder.findUniqueOrThrow({ where: { id: result.orderId } })).status).toBe('completed');
      const titles = env.discord.dms(user).map((m) => m.embeds[0]?.title);
      expect(titles.filter((t) => t === 'Your 5 codes')).toHaveLength(1);
      await expectWentThrough(handle, adminLog());
    });
  });

  it('top-up: cut after paymentsCheckAndCredit found it paid: settled, credited once', async () => {
    const user = newMember(env, 'payer');
    const paymentId = newPaymentId('outage');
    // The check that credits (after the payment), not an earlier one that found it pending.
    const outage = worker.cutAfter('paymentsCheckAndCredit', { downMs: DOWN_MS, when: () => env.midtrans.charge(paymentId)?.status === 'settlement' });
    const handle = await startTopup(env, { paymentId, userId: user, amount: '18000', patience: PATIENCE });
    // The charge exists at the gateway: the customer pays.
    await waitFor(() => env.midtrans.charge(paymentId), { timeoutMs: 30_000, what: 'the charge at the gateway' });
    await env.midtrans.pay(paymentId);

    await stuckDuring(handle, outage, 'credit the member');
    expect(await handle.result()).toMatchObject({ status: 'settled', credited: true, failureReason: null });
    expect(await balance(env, user)).toEqual({ balance: 18000n, held: 0n, available: 18000n });
    expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: { startsWith: `topup:${paymentId}:` } } })).toBe(1);
    expect(await env.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } })).toMatchObject({ status: 'settled' });
    const dm = await env.discord.waitFor(() => env.discord.dms(user).find((m) => m.embeds[0]?.title === 'Top-up received'), 10_000, 'the receipt');
    expect(dm).toBeDefined();
    await expectWentThrough(handle, adminLog());
  });

  it('afterwards the ledger balances, agrees with every domain row and holds nothing pending', async () => {
    expect(outages).toHaveLength(CUTS);
    const ledger = createLedger(env.prisma);
    expect(await ledger.validate(guildId)).toMatchObject({ ok: true });
    expect(await domainMismatches(poolOf(env.prisma), guildId)).toEqual([]);
    expect(await env.prisma.journalEntry.count({ where: { guildId, status: 'pending' } })).toBe(0);
  });
});
