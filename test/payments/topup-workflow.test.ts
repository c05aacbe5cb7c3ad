import { createHash } from 'node:crypto';
import { waitFor } from '../../lib/wait';
import { createPrismaClient } from '../../prisma/client';
import { createApp } from '../../api/app';
import { createLogger } from '../../lib/logger';
import { paymentUpdateSignal, topupStatusQuery, type TopupState } from '../../lib/flows/payments';
import type { WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { topup } from '../../workflows/topup';
import { expectWentThrough, lostAttempts, outage, SHORT_PATIENCE, waitUntilStuck, type Outage } from '../helpers/stuck-flows';
import { uniqueTaskQueue } from '../helpers/temporal';
import { balanceOf, creditEntries, gatewayBalance, newMember, newPaymentId, SERVER_KEY, startPaymentsEnv, startTopup, type PaymentsEnv } from './helpers';

/**
 * The top-up workflow at worker level: the real workflow and activities, the real Midtrans client
 * against the fake Midtrans, which sends real signed notifications to our webhook (api/routes/webhooks.ts)
 * — in order, duplicated, out of order or not at all. Every test checks balances, the payment row, the
 * notifications recorded and what the member was told.
 */
describe('top-up workflow', () => {
  let env: PaymentsEnv;

  beforeAll(async () => {
    env = await startPaymentsEnv();
    await env.startWorker();
  });
  afterAll(() => env?.close());

  const payment = (id: string) => env.prisma.payment.findUniqueOrThrow({ where: { id } });
  const notificationsOf = (orderId: string) => env.prisma.paymentNotification.findMany({ where: { orderId }, orderBy: { id: 'asc' } });
  const stateOf = (h: WorkflowHandle<typeof topup>) => h.query(topupStatusQuery);
  const waitState = (h: WorkflowHandle<typeof topup>, ok: (s: TopupState) => boolean, what: string, timeoutMs = 15_000) =>
    waitFor(async () => {
      const s = await stateOf(h);
      return ok(s) ? s : undefined;
    }, { timeoutMs, intervalMs: 100, what });
  /** The charge exists at the gateway once the workflow waits. */
  const charged = (h: WorkflowHandle<typeof topup>) => waitState(h, (s) => s.step === 'waiting' || s.step === 'waiting_late', 'the charge');
  const lastDm = (user: string) => env.discord.waitFor(() => env.discord.dms(user).at(-1), 10_000, `a DM to ${user}`);

  it('happy path: charge, signed settlement notification, credited once from the gateway account, receipt by DM', async () => {
    const user = newMember(env);
    const gatewayBefore = await gatewayBalance(env);
    const h = await startTopup(env, { userId: user, amount: '25000' });
    const paymentId = h.workflowId.slice('topup:'.length);
    await charged(h);

    const charge = env.midtrans.charge(paymentId)!;
    expect(charge).toMatchObject({ grossAmount: '25000.00', status: 'pending' });
    expect(await payment(paymentId)).toMatchObject({ status: 'pending', amount: 25000n, credit: 25000n, providerTransactionId: charge.transactionId, provider: 'midtrans' });
    expect((await payment(paymentId)).qrUrl).toContain(`/v2/qris/${charge.transactionId}/qr-code`);

    await env.midtrans.pay(paymentId);
    const result = await h.result();
    expect(result).toMatchObject({ paymentId, status: 'settled', credited: true, step: 'done', providerStatus: 'settlement', failureReason: null });

    expect(await balanceOf(env, user)).toBe(25000n);
    expect((await gatewayBalance(env)) - gatewayBefore).toBe(-25000n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(1);
    const p = await payment(paymentId);
    expect(p).toMatchObject({ status: 'settled', providerStatus: 'settlement' });
    expect(p.creditedAt).toBeInstanceOf(Date);
    // The pending and settlement notifications, both recorded once and signalled.
    const recorded = await notificationsOf(paymentId);
    expect(recorded.map((n) => n.transactionStatus)).toEqual(['pending', 'settlement']);
    await waitFor(async () => (await notificationsOf(paymentId)).every((n) => n.signalledAt !== null), { timeoutMs: 5000, what: 'signalled notifications' });
    expect(env.midtrans.notifications().filter((n) => n.orderId === paymentId).every((n) => n.delivered && n.attempts[0]?.status === 200)).toBe(true);

    const dm = await lastDm(user);
    expect(dm.embeds[0]).toMatchObject({ title: 'Top-up received', footer: { text: `Guildflow · topup:${paymentId}` } });
    expect(dm.embeds[0]?.description).toContain('Rp 25,000');
    expect(dm.embeds[0]?.description).toContain('🪙 25,000 Coins');

    const d = await h.describe();
    expect(d.searchAttributes).toMatchObject({ GuildId: [env.demo.guild.id], DiscordUserId: [user], FlowKind: ['topup'] });
  });

  it('the same notification delivered 5 times credits once; each redelivery is a 200 that changes nothing', async () => {
    const user = newMember(env);
    const h = await startTopup(env, { userId: user, amount: '30000' });
    const paymentId = h.workflowId.slice('topup:'.length);
    await charged(h);
    env.midtrans.setNotificationMode('duplicate', paymentId);
    await env.midtrans.pay(paymentId);
    await env.midtrans.idle();
    const settlement = env.midtrans.notifications().find((n) => n.orderId === paymentId && n.body.transaction_status === 'settlement')!;
    const answers: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(env.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: settlement.raw });
      answers.push([res.status, await res.json()]);
    }
    expect(answers).toEqual(Array(5).fill([200, { status: 'duplicate' }]));
    // The fake's own duplicate copy was answered as a duplicate too.
    const copies = env.midtrans.notifications().filter((n) => n.orderId === paymentId && n.body.transaction_status === 'settlement');
    expect(copies.map((c) => c.attempts[0]?.responseText)).toEqual([JSON.stringify({ status: 'recorded' }), JSON.stringify({ status: 'duplicate' })]);

    await h.result();
    expect(await balanceOf(env, user)).toBe(30000n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(1);
    expect((await notificationsOf(paymentId)).filter((n) => n.transactionStatus === 'settlement')).toHaveLength(1);
  });

  it('out-of-order statuses: a stale pending after the settlement is recorded and ignored', async () => {
    const user = newMember(env);
    // Global mode: the pending notification of the charge is held back until after the settlement.
    env.midtrans.setNotificationMode('out-of-order');
    const h = await startTopup(env, { userId: user, amount: '15000' });
    const paymentId = h.workflowId.slice('topup:'.length);
    try {
      await charged(h);
      await env.midtrans.pay(paymentId);
      await env.midtrans.idle();
    } finally {
      env.midtrans.setNotificationMode('normal');
    }
    const sent = env.midtrans.notifications().filter((n) => n.orderId === paymentId);
    expect(sent.map((n) => `${n.kind}:${n.body.transaction_status}`)).toEqual(['status:settlement', 'stale:pending']);
    const result = await h.result();
    expect(result).toMatchObject({ status: 'settled', credited: true, providerStatus: 'settlement' });
    expect(await balanceOf(env, user)).toBe(15000n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(1);
    expect((await payment(paymentId)).status).toBe('settled');
    expect((await notificationsOf(paymentId)).map((n) => n.transactionStatus).sort()).toEqual(['pending', 'settlement']);
  });

  it('a forged or malformed notification is refused (401/400) and changes nothing', async () => {
    const user = newMember(env);
    const h = await startTopup(env, { userId: user, amount: '20000' });
    const paymentId = h.workflowId.slice('topup:'.length);
    await charged(h);
    const charge = env.midtrans.charge(paymentId)!;
    const body = {
      transaction_status: 'settlement',
      transaction_id: charge.transactionId,
      status_code: '200',
      gross_amount: '20000.00',
      order_id: paymentId,
      fraud_status: 'accept',
      payment_type: 'qris',
    };
    const post = async (b: unknown, raw?: string) => {
      const res = await fetch(env.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw ?? JSON.stringify(b) });
      return [res.status, ((await res.json()) as { error?: { code: string } }).error?.code];
    };
    const sign = (key: string, b: typeof body) => createHash('sha512').update(`${b.order_id}${b.status_code}${b.gross_amount}${key}`).digest('hex');
    // Signed with another key; a right signature over other fields; no signature; not JSON; not an object.
    expect(await post({ ...body, signature_key: sign('attacker-key', body) })).toEqual([401, 'unauthorized']);
    expect(await post({ ...body, gross_amount: '20000000.00', signature_key: sign(SERVER_KEY, body) })).toEqual([401, 'unauthorized']);
    expect(await post({ ...body, signature_key: 'ab'.repeat(32) })).toEqual([401, 'unauthorized']);
    expect(await post(body)).toEqual([400, 'invalid_input']);
    expect(await post(null, '{"order_id": ')).toEqual([400, 'invalid_input']);
    expect(await post([body])).toEqual([400, 'invalid_input']);

    expect((await notificationsOf(paymentId)).map((n) => n.transactionStatus)).toEqual(['pending']);
    expect(await stateOf(h)).toMatchObject({ status: 'pending', credited: false });
    expect(await balanceOf(env, user)).toBe(0n);
    expect((await payment(paymentId)).status).toBe('pending');
    expect(env.logs.join('\n')).toContain('wrong signature refused');
    await h.terminate('test over');
  });

  /** A notification signed with our server key, as Midtrans would send it (its signature covers these three fields only). */
  const signedBody = (b: { order_id: string; status_code: string; gross_amount: string } & Record<string, string>) => ({
    ...b,
    signature_key: createHash('sha512').update(`${b.order_id}${b.status_code}${b.gross_amount}${SERVER_KEY}`).digest('hex'),
  });
  const postNotification = (b: unknown) => fetch(env.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof b === 'string' ? b : JSON.stringify(b) });
  /** The flow took in `notifications` signals and asked the gateway `polls` times (or ended, which a failing test shows). */
  const askedGateway = (h: WorkflowHandle<typeof topup>, notifications: number, polls: number) =>
    waitState(h, (s) => (s.notifications >= notifications && s.polls >= polls) || s.credited || s.step === 'done', 'the gateway asked after the signal');
  const forgedPaid = (transactionId: string) => ({ status: 'paid', providerStatus: 'settlement', fraudStatus: 'accept', transactionId, grossAmount: '50000', source: 'webhook' }) as const;

  it('a forged paymentUpdate signal (Temporal UI/CLI) credits nothing while the gateway says pending; the top-up expires unpaid', async () => {
    const user = newMember(env);
    const paymentId = newPaymentId();
    // No notifications and no polling before the expiry: the only status read is the one the signal causes.
    env.midtrans.setNotificationMode('drop');
    try {
      const h = await startTopup(env, { paymentId, userId: user, amount: '20000', expirySeconds: 5, pollSeconds: 60, lateSettlementSeconds: 1 });
      await charged(h);
      await h.signal(paymentUpdateSignal, forgedPaid(env.midtrans.charge(paymentId)!.transactionId));
      expect(await askedGateway(h, 1, 1)).toMatchObject({ credited: false });
      expect(await balanceOf(env, user)).toBe(0n);

      const result = await h.result();
      expect(result).toMatchObject({ status: 'expired', credited: false });
    } finally {
      env.midtrans.setNotificationMode('normal');
    }
    expect(await balanceOf(env, user)).toBe(0n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(0);
    expect(await payment(paymentId)).toMatchObject({ status: 'expired', creditedAt: null });
  });

  it('after a forged signal, the gateway\'s own settlement credits our amount exactly once', async () => {
    const user = newMember(env);
    const paymentId = newPaymentId();
    env.midtrans.setNotificationMode('drop');
    let h: WorkflowHandle<typeof topup>;
    try {
      h = await startTopup(env, { paymentId, userId: user, amount: '21000', pollSeconds: 60 });
      await charged(h);
      await h.signal(paymentUpdateSignal, forgedPaid(env.midtrans.charge(paymentId)!.transactionId));
      expect(await askedGateway(h, 1, 1)).toMatchObject({ status: 'pending', credited: false });
      expect(await balanceOf(env, user)).toBe(0n);
    } finally {
      env.midtrans.setNotificationMode('normal');
    }
    await env.midtrans.pay(paymentId);
    const result = await h.result();
    expect(result).toMatchObject({ status: 'settled', credited: true, providerStatus: 'settlement' });
    expect(await balanceOf(env, user)).toBe(21000n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(1);
  });

  it('a top-up started before the change (it takes a signal\'s status) still credits nothing on a forged signal: the credit activity asks the gateway', async () => {
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      logger: new DefaultLogger('WARN'),
      webpackConfigHook: (config) => ({
        ...config,
        resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as object), '@temporalio/workflow$': require.resolve('./workflows/never-patched') } },
      }),
    });
    const taskQueue = uniqueTaskQueue('payments-unpatched');
    const old = await env.startWorker({ taskQueue, workflowBundle });
    try {
      const user = newMember(env);
      const paymentId = newPaymentId();
      const h = await startTopup({ ...env, taskQueue }, { paymentId, userId: user, amount: '19000' });
      await charged(h);
      await h.signal(paymentUpdateSignal, forgedPaid(env.midtrans.charge(paymentId)!.transactionId));
      const result = await h.result();
      expect(result).toMatchObject({ status: 'failed', credited: false });
      expect(result.failureReason).toMatch(/does not confirm payment .* as paid \(it says pending\): nothing was credited/);
      expect(await balanceOf(env, user)).toBe(0n);
      expect(await creditEntries(env.prisma, paymentId)).toBe(0);
      expect(await payment(paymentId)).toMatchObject({ status: 'failed', creditedAt: null });
    } finally {
      await old.stop();
    }
  });

  it('a genuine signed pending notification re-posted with only transaction_status changed to settlement credits nothing', async () => {
    const user = newMember(env);
    const h = await startTopup(env, { userId: user, amount: '150000', expirySeconds: 5, pollSeconds: 60, lateSettlementSeconds: 1 });
    const paymentId = h.workflowId.slice('topup:'.length);
    await charged(h);
    const pending = await waitFor(() => env.midtrans.notifications().find((n) => n.orderId === paymentId && n.body.transaction_status === 'pending' && n.delivered), {
      timeoutMs: 10_000,
      what: 'the genuine pending notification',
    });
    await askedGateway(h, 1, 1);
    // The signature covers order_id, status_code and gross_amount only: it still verifies.
    const tampered = pending.raw.replace('"transaction_status":"pending"', '"transaction_status":"settlement"');
    expect(tampered).not.toBe(pending.raw);
    const res = await postNotification(tampered);
    expect(res.status).toBe(200);
    expect(await askedGateway(h, 2, 2)).toMatchObject({ credited: false });
    expect(await balanceOf(env, user)).toBe(0n);

    const result = await h.result();
    expect(result).toMatchObject({ status: 'expired', credited: false });
    expect(await balanceOf(env, user)).toBe(0n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(0);
    expect(await payment(paymentId)).toMatchObject({ creditedAt: null });
  });

  it('signed capture and other-amount notifications the gateway does not confirm credit nothing; its settlement credits once', async () => {
    const user = newMember(env);
    const h = await startTopup(env, { userId: user, amount: '17000' });
    const paymentId = h.workflowId.slice('topup:'.length);
    await charged(h);
    const { transactionId } = env.midtrans.charge(paymentId)!;
    const base = { order_id: paymentId, status_code: '200', transaction_id: transactionId };
    await askedGateway(h, 1, 1);
    let signals = 1;
    for (const b of [
      { ...base, gross_amount: '17000.00', transaction_status: 'capture', fraud_status: 'accept' },
      { ...base, gross_amount: '1000.00', transaction_status: 'settlement', fraud_status: 'accept' },
    ]) {
      expect((await postNotification(signedBody(b))).status).toBe(200);
      signals += 1;
      expect(await askedGateway(h, signals, signals)).toMatchObject({ status: 'pending', credited: false });
    }
    expect(await balanceOf(env, user)).toBe(0n);

    await env.midtrans.pay(paymentId);
    expect(await h.result()).toMatchObject({ status: 'settled', credited: true });
    expect(await balanceOf(env, user)).toBe(17000n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(1);
    expect(await payment(paymentId)).toMatchObject({ status: 'settled', providerStatus: 'settlement', amount: 17000n });
  });

  it('every notification dropped: the reconciler (status polling) credits the payment, once', async () => {
    const user = newMember(env);
    const paymentId = newPaymentId();
    env.midtrans.setNotificationMode('drop');
    try {
      const h = await startTopup(env, { paymentId, userId: user, amount: '40000', pollSeconds: 1 });
      await charged(h);
      await env.midtrans.pay(paymentId);
      const result = await h.result();
      expect(result).toMatchObject({ status: 'settled', credited: true, notifications: 0 });
      expect(result.polls).toBeGreaterThanOrEqual(1);
    } finally {
      env.midtrans.setNotificationMode('normal');
    }
    expect(env.midtrans.notifications().filter((n) => n.orderId === paymentId)).toEqual([]);
    expect(await notificationsOf(paymentId)).toEqual([]);
    expect(await balanceOf(env, user)).toBe(40000n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(1);
    expect((await lastDm(user)).embeds[0]?.title).toBe('Top-up received');
  });

  it('the gateway down for a while during polling: polls fail, then the payment is still credited', async () => {
    const user = newMember(env);
    const paymentId = newPaymentId();
    const h = await startTopup(env, { paymentId, userId: user, amount: '11000', pollSeconds: 1 });
    await charged(h);
    env.midtrans.setNotificationMode('drop', paymentId);
    env.midtrans.inject({ route: new RegExp(`/v2/${paymentId}/status`), status: 503, times: 4 });
    await env.midtrans.pay(paymentId);
    const result = await h.result();
    expect(result).toMatchObject({ status: 'settled', credited: true });
    expect(env.midtrans.requests().filter((r) => r.path.includes(`${paymentId}/status`) && r.fault === 503)).toHaveLength(4);
    expect(await balanceOf(env, user)).toBe(11000n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(1);
  });

  it('expiry, then a late settlement: the member is told it expired, and the late payment is still credited', async () => {
    const user = newMember(env);
    const h = await startTopup(env, { userId: user, amount: '12000', expirySeconds: 2, pollSeconds: 30, lateSettlementSeconds: 60 });
    const paymentId = h.workflowId.slice('topup:'.length);
    await charged(h);
    await waitState(h, (s) => s.status === 'expired' && s.step === 'waiting_late', 'our expiry');
    // The flow says expired before its activity writes the row.
    await waitFor(async () => (await payment(paymentId)).status === 'expired', { timeoutMs: 10_000, what: 'the payment row expired' });
    const told = await lastDm(user);
    expect(told.embeds[0]).toMatchObject({ title: 'Top-up expired' });
    expect(told.embeds[0]?.description).toContain('If you already paid, you will still be credited');
    expect(await balanceOf(env, user)).toBe(0n);

    await env.midtrans.pay(paymentId);
    const result = await h.result();
    expect(result).toMatchObject({ status: 'settled', credited: true });
    expect(await balanceOf(env, user)).toBe(12000n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(1);
    expect(await payment(paymentId)).toMatchObject({ status: 'settled' });
    expect((await lastDm(user)).embeds[0]?.title).toBe('Top-up received');
  });

  it('nothing paid by the end of the late window: the charge is cancelled at the gateway, nothing credited', async () => {
    const user = newMember(env);
    const h = await startTopup(env, { userId: user, amount: '13000', expirySeconds: 1, pollSeconds: 30, lateSettlementSeconds: 2 });
    const paymentId = h.workflowId.slice('topup:'.length);
    const result = await h.result();
    expect(result).toMatchObject({ status: 'expired', credited: false });
    expect(env.midtrans.charge(paymentId)?.status).toBe('cancel');
    expect(await payment(paymentId)).toMatchObject({ status: 'expired', creditedAt: null });
    expect(await balanceOf(env, user)).toBe(0n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(0);
    // Told once, at the expiry.
    expect(env.discord.dms(user).map((m) => m.embeds[0]?.title)).toEqual(['Top-up expired']);
    // The gateway can no longer take the money.
    await expect(env.midtrans.pay(paymentId)).rejects.toThrow(/cancel/);
  });

  it('denied by the gateway: the member is told, nothing is credited', async () => {
    const user = newMember(env);
    const h = await startTopup(env, { userId: user, amount: '14000' });
    const paymentId = h.workflowId.slice('topup:'.length);
    await charged(h);
    await env.midtrans.deny(paymentId);
    const result = await h.result();
    expect(result).toMatchObject({ status: 'denied', credited: false, providerStatus: 'deny' });
    expect(await payment(paymentId)).toMatchObject({ status: 'denied', providerStatus: 'deny' });
    expect(await balanceOf(env, user)).toBe(0n);
    expect(await creditEntries(env.prisma, paymentId)).toBe(0);
    expect((await lastDm(user)).embeds[0]?.title).toBe('Top-up refused');
  });

  it('a charge the gateway refuses (wrong server key): failed, member and admins told, nothing credited', async () => {
    const taskQueue = uniqueTaskQueue('payments-wrong-key');
    const other = await env.startWorker({ serverKey: 'SB-Mid-server-wrong', taskQueue });
    try {
      const user = newMember(env);
      const h = await startTopup({ ...env, taskQueue }, { userId: user, amount: '16000' });
      const result = await h.result();
      const paymentId = h.workflowId.slice('topup:'.length);
      expect(result).toMatchObject({ status: 'failed', credited: false });
      expect(result.failureReason).toMatch(/Midtrans refused to create the charge: 401/);
      expect(await payment(paymentId)).toMatchObject({ status: 'failed', providerTransactionId: null });
      expect(await balanceOf(env, user)).toBe(0n);
      expect((await lastDm(user)).embeds[0]?.title).toBe('Top-up failed');
      const admin = await env.discord.waitFor(
        () => env.discord.messages(env.demo.channels.adminLog.id).find((m) => m.embeds[0]?.description?.includes(paymentId)),
        5000,
        'the admin notice',
      );
      expect(admin.embeds[0]?.title).toBe('Top-up needs an admin');
    } finally {
      await other.stop();
    }
  });

  it('the credit stuck longer than the patience (its answers lost after it committed): stuck and told, then settled with the money credited exactly once', async () => {
    const user = newMember(env);
    const paymentId = newPaymentId('stuck');
    let down!: Outage<Parameters<Activities['paymentsCredit']>, Awaited<ReturnType<Activities['paymentsCredit']>>>;
    const taskQueue = uniqueTaskQueue('payments-stuck');
    const flaky = await env.startWorker({
      taskQueue,
      activities: (real) => {
        down = outage(real.paymentsCredit, { applies: (input) => input.paymentId === paymentId, lostReply: true });
        // The database already away when the status check found it paid: that check's own credit fails
        // (as it reports then), so the credit is the credit step's.
        const checkWithoutCredit = async (input: { paymentId: string }) => ({ update: await real.paymentsCheckStatus(input), credited: false });
        return { ...real, paymentsCredit: down.activity, paymentsCheckAndCredit: checkWithoutCredit };
      },
    });
    try {
      const h = await startTopup({ ...env, taskQueue }, { paymentId, userId: user, amount: '18000', patience: SHORT_PATIENCE });
      await waitFor(() => env.midtrans.charge(paymentId), { timeoutMs: 20_000, what: 'the charge at the gateway' });
      await env.midtrans.pay(paymentId);
      const adminLog = { discord: env.discord, channelId: env.demo.channels.adminLog.id };
      const stuck = await waitUntilStuck(h, 'credit the member', adminLog);
      expect(stuck.failure).toContain('ECONNREFUSED');
      expect(await stateOf(h)).toMatchObject({ step: 'crediting', credited: false });
      // Every attempt committed and lost its answer: the ledger applied the credit once.
      await lostAttempts(down);
      expect(down.failures).toBeGreaterThanOrEqual(2);
      await waitFor(async () => (await creditEntries(env.prisma, paymentId)) > 0, { timeoutMs: 20_000, what: 'the credit entry' });
      expect(await creditEntries(env.prisma, paymentId)).toBe(1);
      expect(await balanceOf(env, user)).toBe(18000n);

      down.release();
      expect(await h.result()).toMatchObject({ status: 'settled', credited: true, failureReason: null });
      await expectWentThrough(h, adminLog);
      expect(await balanceOf(env, user)).toBe(18000n);
      expect(await creditEntries(env.prisma, paymentId)).toBe(1);
      expect(await env.prisma.journalEntry.count({ where: { idempotencyKey: `topup:${paymentId}:credit` } })).toBe(1);
      expect(await payment(paymentId)).toMatchObject({ status: 'settled', providerStatus: 'settlement' });
      expect((await lastDm(user)).embeds[0]?.title).toBe('Top-up received');
    } finally {
      await flaky.stop();
    }
  });

  it('the webhook answers 503 when it cannot record (our outage), so the gateway retries; nothing changes', async () => {
    const broken = createPrismaClient('postgres://postgres@127.0.0.1:5432/gf_no_such_database_payments', { poolSize: 1 });
    const app = createApp({ prisma: broken, log: createLogger({ level: 'silent' }), readiness: [], midtransServerKey: SERVER_KEY });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const body = { order_id: 'tp-outage', status_code: '200', gross_amount: '1000.00', transaction_status: 'settlement', transaction_id: 'b6c6f8a2-outage' };
      const signature_key = createHash('sha512').update(`${body.order_id}${body.status_code}${body.gross_amount}${SERVER_KEY}`).digest('hex');
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks/midtrans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...body, signature_key }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    } finally {
      await new Promise((r) => server.close(r));
      await broken.$disconnect();
    }
    expect(await env.prisma.paymentNotification.count({ where: { orderId: 'tp-outage' } })).toBe(0);
  });

  it('never logs the server key or a signature', () => {
    const all = env.logs.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    expect(all).not.toContain(SERVER_KEY);
    for (const n of env.midtrans.notifications()) expect(all).not.toContain(n.body.signature_key);
  });
});
