import { verifyMidtransSignature } from '../../lib/payments/midtrans-signature';
import { waitFor } from '../../lib/wait';
import { type HttpReceiver, startHttpReceiver } from '../helpers/http-receiver';
import { httpRequest } from './http-fake';
import { type FakeMidtrans, type FakeMidtransOptions, startFakeMidtrans } from './midtrans';

const SERVER_KEY = 'SB-Mid-server-fake-key-0123';
const MIDTRANS_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Midtrans times are Jakarta wall-clock time (UTC+7) without a zone. */
const fromJakarta = (text: string) => new Date(`${text.replace(' ', 'T')}+07:00`);

type Notification = Record<string, string>;

describe('fake Midtrans (QRIS, Core API)', () => {
  let receiver: HttpReceiver;
  let midtrans: FakeMidtrans;
  const started: FakeMidtrans[] = [];

  const start = async (options: Partial<FakeMidtransOptions> = {}) => {
    const fake = await startFakeMidtrans({
      serverKey: SERVER_KEY,
      notificationUrl: `${receiver.url}/webhooks/midtrans`,
      retry: { maxAttempts: 3, backoffMs: [20, 40] },
      ...options,
    });
    started.push(fake);
    return fake;
  };

  beforeEach(async () => {
    receiver = await startHttpReceiver();
    midtrans = await start();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((fake) => fake.close()));
    await receiver.close();
  });

  const api = (method: string, path: string, body?: unknown, key: string | null = SERVER_KEY, headers: Record<string, string> = {}) =>
    httpRequest(`${midtrans.url}${path}`, {
      method,
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        ...(key === null ? {} : { Authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const chargeQris = (orderId: string, grossAmount = 10_000, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    api('POST', '/v2/charge', { payment_type: 'qris', transaction_details: { order_id: orderId, gross_amount: grossAmount }, qris: { acquirer: 'gopay' }, ...extra }, SERVER_KEY, headers);

  const notifications = () => receiver.received.map((r) => r.json as Notification);
  const statuses = () => notifications().map((n) => n.transaction_status);
  const waitForNotifications = (count: number, what: string) =>
    waitFor(() => receiver.received.length >= count, { timeoutMs: 5_000, intervalMs: 10, what });

  describe('charge', () => {
    it('answers like Midtrans: 201 body, Jakarta times, QR string and a QR image action', async () => {
      const before = Date.now();
      const res = await chargeQris('topup-1');
      expect(res.status).toBe(200);
      const body = res.json as Record<string, unknown>;
      expect(body).toEqual({
        status_code: '201',
        status_message: 'QRIS transaction is created',
        transaction_id: expect.stringMatching(UUID),
        order_id: 'topup-1',
        merchant_id: expect.any(String),
        gross_amount: '10000.00',
        currency: 'IDR',
        payment_type: 'qris',
        transaction_time: expect.stringMatching(MIDTRANS_TIME),
        transaction_status: 'pending',
        fraud_status: 'accept',
        actions: [{ name: 'generate-qr-code', method: 'GET', url: `${midtrans.url}/v2/qris/${String(body.transaction_id)}/qr-code` }],
        qr_string: expect.stringMatching(/^000201/),
        acquirer: 'gopay',
        expiry_time: expect.stringMatching(MIDTRANS_TIME),
      });
      expect(body.qr_string).toContain('5303360' + '540510000'); // IDR, amount 10000 (EMV tags 53, 54)
      const created = fromJakarta(String(body.transaction_time)).getTime();
      expect(created).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(created).toBeLessThanOrEqual(Date.now());
      // Default QRIS expiry: 15 minutes.
      expect(fromJakarta(String(body.expiry_time)).getTime() - created).toBe(15 * 60_000);

      const image = await httpRequest((body.actions as { url: string }[])[0]!.url);
      expect(image.status).toBe(200);
      expect(image.headers['content-type']).toBe('image/png');
      expect(image.body.subarray(0, 8)).toEqual(PNG_MAGIC);
      expect(midtrans.charge('topup-1')).toMatchObject({ status: 'pending', grossAmount: '10000.00', transactionId: body.transaction_id });
    });

    it('honours custom_expiry and the airpay shopee acquirer', async () => {
      const res = await chargeQris('topup-exp', 25_000, { qris: { acquirer: 'airpay shopee' }, custom_expiry: { expiry_duration: 5, unit: 'minute' } });
      const body = res.json as Record<string, string>;
      expect(body).toMatchObject({ acquirer: 'airpay shopee', gross_amount: '25000.00' });
      expect(fromJakarta(body.expiry_time!).getTime() - fromJakarta(body.transaction_time!).getTime()).toBe(5 * 60_000);
    });

    it('refuses a wrong or missing server key with 401', async () => {
      for (const key of ['SB-Mid-server-wrong', null]) {
        const res = await api('POST', '/v2/charge', { payment_type: 'qris', transaction_details: { order_id: 'x', gross_amount: 1 } }, key);
        expect(res.status).toBe(401);
        expect(res.json).toMatchObject({ status_code: '401', status_message: expect.stringMatching(/unauthorized/i) });
      }
      expect((await api('GET', '/v2/x/status', undefined, 'SB-Mid-server-wrong')).status).toBe(401);
      expect(midtrans.transactions()).toEqual([]);
    });

    it('answers a second charge of a live order id with 406, and allows it again once cancelled', async () => {
      expect((await chargeQris('order-dup')).status).toBe(200);
      const again = await chargeQris('order-dup');
      expect(again.status).toBe(406);
      expect(again.json).toMatchObject({ status_code: '406', status_message: expect.any(String) });
      expect((await api('POST', '/v2/order-dup/cancel')).json).toMatchObject({ status_code: '200', transaction_status: 'cancel' });
      expect((await chargeQris('order-dup')).status).toBe(200);
      expect(midtrans.transactions().map((t) => t.status)).toEqual(['cancel', 'pending']);
    });

    it('refuses an invalid payload with 400 and validation messages', async () => {
      const res = await api('POST', '/v2/charge', { payment_type: 'qris', transaction_details: { order_id: 'no amount' } });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ status_code: '400', validation_messages: expect.arrayContaining([expect.stringMatching(/order_id/), expect.stringMatching(/gross_amount/)]) });
    });
  });

  describe('status, cancel, expire endpoints', () => {
    it('answers an unknown order with Midtrans’s 404', async () => {
      const res = await api('GET', '/v2/nope/status');
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ status_code: '404', status_message: "Transaction doesn't exist." });
    });

    it('tells the current status, signed, by order id or transaction id', async () => {
      const { transaction_id } = (await chargeQris('order-s')).json as { transaction_id: string };
      const pending = (await api('GET', '/v2/order-s/status')).json as Notification;
      expect(pending).toMatchObject({ status_code: '201', transaction_status: 'pending', order_id: 'order-s', gross_amount: '10000.00', transaction_id });
      expect(verifyMidtransSignature(pending, SERVER_KEY)).toBe(true);
      await midtrans.pay('order-s');
      const settled = (await api('GET', `/v2/${transaction_id}/status`)).json as Notification;
      expect(settled).toMatchObject({ status_code: '200', transaction_status: 'settlement', settlement_time: expect.stringMatching(MIDTRANS_TIME) });
      expect(verifyMidtransSignature(settled, SERVER_KEY)).toBe(true);
    });

    it('expires and cancels pending transactions through the API, and refuses to change a settled one', async () => {
      await chargeQris('order-e');
      expect((await api('POST', '/v2/order-e/expire')).json).toMatchObject({ status_code: '407', transaction_status: 'expire' });
      expect((await api('GET', '/v2/order-e/status')).json).toMatchObject({ status_code: '407', transaction_status: 'expire' });
      await chargeQris('order-p');
      await midtrans.pay('order-p');
      const refused = await api('POST', '/v2/order-p/cancel');
      expect(refused.status).toBe(412);
      expect(refused.json).toMatchObject({ status_code: '412' });
      await waitFor(() => statuses().filter((s) => s === 'expire').length === 1, { timeoutMs: 5_000, intervalMs: 10, what: 'the expire notification' });
      expect(notifications().find((n) => n.transaction_status === 'expire')).toMatchObject({ status_code: '202', order_id: 'order-e' });
    });
  });

  describe('notifications', () => {
    it('POSTs a signed pending notification on charge and a signed settlement on pay', async () => {
      await chargeQris('topup-pay', 50_000);
      await midtrans.pay('topup-pay');
      await waitForNotifications(2, 'pending and settlement notifications');
      expect(statuses()).toEqual(['pending', 'settlement']);
      const request = receiver.received[1]!;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/webhooks/midtrans');
      expect(request.headers['content-type']).toBe('application/json');
      const settlement = request.json as Notification;
      expect(settlement).toEqual({
        transaction_type: 'on-us',
        transaction_time: expect.stringMatching(MIDTRANS_TIME),
        transaction_status: 'settlement',
        transaction_id: expect.stringMatching(UUID),
        status_message: 'midtrans payment notification',
        status_code: '200',
        signature_key: expect.stringMatching(/^[0-9a-f]{128}$/),
        settlement_time: expect.stringMatching(MIDTRANS_TIME),
        payment_type: 'qris',
        order_id: 'topup-pay',
        merchant_id: expect.any(String),
        issuer: 'gopay',
        gross_amount: '50000.00',
        fraud_status: 'accept',
        expiry_time: expect.stringMatching(MIDTRANS_TIME),
        currency: 'IDR',
        acquirer: 'gopay',
      });
      expect(notifications()[0]).toMatchObject({ status_code: '201', transaction_status: 'pending' });
      for (const n of notifications()) expect(verifyMidtransSignature(n, SERVER_KEY)).toBe(true);
      // A forger who changes the amount, status or order cannot fix the signature without the key.
      expect(verifyMidtransSignature({ ...settlement, gross_amount: '500000.00' }, SERVER_KEY)).toBe(false);
      expect(verifyMidtransSignature({ ...notifications()[0], transaction_status: 'settlement', status_code: '200' }, SERVER_KEY)).toBe(false);
      expect(verifyMidtransSignature({ ...settlement, order_id: 'topup-other' }, SERVER_KEY)).toBe(false);
      expect(verifyMidtransSignature(settlement, 'SB-Mid-server-another-merchant')).toBe(false);
      expect(midtrans.notifications().map((n) => [n.kind, n.delivered, n.attempts.map((a) => a.status)])).toEqual([
        ['status', true, [200]],
        ['status', true, [200]],
      ]);
    });

    it("duplicate mode sends every notification twice, byte for byte", async () => {
      await chargeQris('topup-dup');
      midtrans.setNotificationMode('duplicate', 'topup-dup');
      await midtrans.pay('topup-dup');
      await waitForNotifications(3, 'the pending and two settlement notifications');
      expect(statuses()).toEqual(['pending', 'settlement', 'settlement']);
      expect(receiver.received[1]!.raw.equals(receiver.received[2]!.raw)).toBe(true);
      expect(midtrans.notifications().map((n) => n.kind)).toEqual(['status', 'status', 'duplicate']);
    });

    it('out-of-order mode delivers the stale pending after the settlement', async () => {
      const fake = await start({ notifications: 'out-of-order' });
      midtrans = fake;
      await chargeQris('topup-ooo');
      await fake.pay('topup-ooo');
      await waitForNotifications(2, 'settlement and the late pending');
      expect(notifications().map((n) => [n.transaction_status, n.status_code])).toEqual([
        ['settlement', '200'],
        ['pending', '201'],
      ]);
      for (const n of notifications()) expect(verifyMidtransSignature(n, SERVER_KEY)).toBe(true);
      expect(fake.notifications().map((n) => n.kind)).toEqual(['status', 'stale']);
    });

    it('drop mode sends nothing while the status endpoint tells the truth', async () => {
      midtrans.setNotificationMode('drop');
      await chargeQris('topup-drop');
      await midtrans.pay('topup-drop');
      await midtrans.idle();
      expect(receiver.received).toEqual([]);
      expect(midtrans.notifications()).toEqual([]);
      expect((await api('GET', '/v2/topup-drop/status')).json).toMatchObject({ status_code: '200', transaction_status: 'settlement' });
    });

    it('deny notifies with status code 202', async () => {
      await chargeQris('topup-deny');
      await midtrans.deny('topup-deny');
      await waitForNotifications(2, 'the deny notification');
      const deny = notifications()[1]!;
      expect(deny).toMatchObject({ transaction_status: 'deny', status_code: '202', order_id: 'topup-deny' });
      expect(deny).not.toHaveProperty('settlement_time');
      expect(verifyMidtransSignature(deny, SERVER_KEY)).toBe(true);
      await expect(midtrans.pay('topup-deny')).rejects.toThrow(/deny/);
    });

    it('expires on its own after expirySeconds and notifies with status code 202', async () => {
      const fake = await start({ expirySeconds: 1 });
      midtrans = fake;
      const charged = (await chargeQris('topup-late')).json as Notification;
      expect(fromJakarta(charged.expiry_time!).getTime() - fromJakarta(charged.transaction_time!).getTime()).toBe(1_000);
      await waitFor(() => statuses().includes('expire'), { timeoutMs: 5_000, intervalMs: 20, what: 'the expiry notification' });
      const expired = notifications().find((n) => n.transaction_status === 'expire')!;
      expect(expired).toMatchObject({ status_code: '202', order_id: 'topup-late' });
      expect(verifyMidtransSignature(expired, SERVER_KEY)).toBe(true);
      expect(fake.charge('topup-late')?.status).toBe('expire');
      await expect(fake.pay('topup-late')).rejects.toThrow(/expire/);
    });

    it('the test API can expire a transaction at once', async () => {
      await chargeQris('topup-x');
      await midtrans.expire('topup-x');
      await waitForNotifications(2, 'the expire notification');
      expect(notifications()[1]).toMatchObject({ transaction_status: 'expire', status_code: '202' });
    });

    it('retries a notification our webhook answered with 500, and records every answer', async () => {
      let calls = 0;
      receiver.respondWith(() => (++calls <= 2 ? { status: 500 } : { status: 200 }));
      const fake = await start({ notifyPending: false });
      midtrans = fake;
      await chargeQris('topup-retry');
      await fake.pay('topup-retry');
      await waitForNotifications(3, 'two failed attempts and one that succeeds');
      await fake.idle();
      const [record] = fake.notifications();
      expect(record).toMatchObject({ kind: 'status', delivered: true, done: true });
      expect(record!.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
      expect(new Set(receiver.received.map((r) => r.raw.toString()))).toEqual(new Set([record!.raw]));
    });

    it('gives up after maxAttempts and records the failure, including a webhook that is down', async () => {
      receiver.respondWith(() => ({ status: 503 }));
      const fake = await start({ notifyPending: false });
      midtrans = fake;
      await chargeQris('topup-fail');
      await fake.pay('topup-fail');
      await fake.idle();
      expect(fake.notifications()[0]).toMatchObject({ delivered: false, done: true });
      expect(fake.notifications()[0]!.attempts.map((a) => a.status)).toEqual([503, 503, 503]);

      fake.setNotificationUrl('http://127.0.0.1:1/unreachable');
      await chargeQris('topup-down');
      await fake.pay('topup-down');
      await fake.idle();
      const down = fake.notifications().find((n) => n.orderId === 'topup-down')!;
      expect(down.delivered).toBe(false);
      expect(down.attempts).toHaveLength(3);
      expect(down.attempts.every((a) => a.status === undefined && typeof a.error === 'string')).toBe(true);
    });

    it('sends to X-Override-Notification when the charge asks for it', async () => {
      const other = await startHttpReceiver();
      try {
        await chargeQris('topup-override', 10_000, {}, { 'X-Override-Notification': `${other.url}/elsewhere` });
        await midtrans.pay('topup-override');
        await waitFor(() => other.received.length === 2, { timeoutMs: 5_000, intervalMs: 10, what: 'notifications at the override URL' });
        expect(receiver.received).toEqual([]);
        expect(other.received.map((r) => r.url)).toEqual(['/elsewhere', '/elsewhere']);
      } finally {
        await other.close();
      }
    });
  });

  describe('faults', () => {
    it('injects 503/429 in Midtrans’s JSON shape, logs requests, and recovers', async () => {
      midtrans.inject({ route: /^\/v2\/charge/, status: 503, times: 1 });
      midtrans.inject({ route: /\/status$/, status: 429, times: 1 });
      const failed = await chargeQris('topup-f');
      expect(failed.status).toBe(503);
      expect(failed.json).toMatchObject({ status_code: '503', status_message: expect.any(String) });
      expect((await chargeQris('topup-f')).status).toBe(200);
      expect((await api('GET', '/v2/topup-f/status')).json).toMatchObject({ status_code: '429' });
      expect((await api('GET', '/v2/topup-f/status')).json).toMatchObject({ status_code: '201' });
      expect(midtrans.requests().map((r) => [r.method, r.path, r.status])).toEqual([
        ['POST', '/v2/charge', 503],
        ['POST', '/v2/charge', 200],
        ['GET', '/v2/topup-f/status', 429],
        ['GET', '/v2/topup-f/status', 200],
      ]);
    });

    it('adds latency to the API', async () => {
      midtrans.setLatency(250);
      const startedAt = performance.now();
      expect((await chargeQris('topup-slow')).status).toBe(200);
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(240);
    });

    it('closes with retries still scheduled and requests held by latency', async () => {
      receiver.respondWith(() => ({ status: 500 }));
      const fake = await start({ retry: { maxAttempts: 5, backoffMs: [60_000] } });
      midtrans = fake;
      await chargeQris('topup-close');
      await waitFor(() => fake.notifications()[0]?.attempts.length === 1, { timeoutMs: 5_000, intervalMs: 10, what: 'the first attempt' });
      fake.setLatency(60_000);
      const held = api('GET', '/v2/topup-close/status');
      held.catch(() => undefined); // asserted below
      await waitFor(() => fake.inFlight() === 1, { timeoutMs: 5_000, intervalMs: 10, what: 'the held request' });
      const closing = performance.now();
      await fake.close();
      expect(performance.now() - closing).toBeLessThan(1_000);
      await expect(held).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect(fake.notifications()[0]).toMatchObject({ delivered: false, done: true });
    });
  });
});
