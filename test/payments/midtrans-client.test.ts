import { createMidtransProvider, midtransStatus, parseJakartaTime, PaymentProviderRejectedError, PaymentProviderUnavailableError } from '../../lib/payments';
import { startFakeMidtrans, type FakeMidtrans } from '../fakes/midtrans';
import { patternPng } from '../fakes/png';

/** The Midtrans Core API client (lib/payments/midtrans.ts) against the fake Midtrans. */
describe('Midtrans QRIS client', () => {
  const serverKey = 'SB-Mid-server-client-test';
  let fake: FakeMidtrans;
  beforeAll(async () => {
    fake = await startFakeMidtrans({ serverKey, notifyPending: false });
  });
  afterAll(() => fake?.close());
  afterEach(() => fake.clearFaults());

  const client = (key = serverKey) => createMidtransProvider({ serverKey: key, apiUrl: fake.url });

  it('creates a QRIS charge with our expiry and notification URL, reads its status, fetches the QR image', async () => {
    const before = Date.now();
    const c = await client().createCharge({ orderId: 'cl-1', amount: 15000, expirySeconds: 120, notificationUrl: 'http://127.0.0.1:9/hook' });
    const t = fake.charge('cl-1')!;
    expect(c).toMatchObject({ transactionId: t.transactionId, status: 'pending', providerStatus: 'pending', qrString: t.qrString, qrUrl: t.qrUrl });
    expect(t.grossAmount).toBe('15000.00');
    // Jakarta time, to the second.
    expect(Math.abs(c.expiresAt!.getTime() - (before + 120_000))).toBeLessThan(2000);
    expect(await client().getStatus('cl-1')).toEqual({ orderId: 'cl-1', transactionId: t.transactionId, status: 'pending', providerStatus: 'pending', fraudStatus: 'accept', grossAmount: '15000.00' });
    expect((await client().fetchQrImage(c.qrUrl!)).equals(patternPng(t.qrString))).toBe(true);
    await fake.pay('cl-1');
    expect(await client().getStatus('cl-1')).toMatchObject({ status: 'paid', providerStatus: 'settlement' });
  });

  it('a retried charge of the same order returns the existing transaction instead of failing', async () => {
    const first = await client().createCharge({ orderId: 'cl-2', amount: 10000, expirySeconds: 60 });
    const again = await client().createCharge({ orderId: 'cl-2', amount: 10000, expirySeconds: 60 });
    expect(again).toMatchObject({ transactionId: first.transactionId, status: 'pending' });
    expect(fake.transactions().filter((t) => t.orderId === 'cl-2')).toHaveLength(1);
  });

  it('cancels a pending charge; cancelling a paid one reports it paid; an unknown order is null', async () => {
    await client().createCharge({ orderId: 'cl-3', amount: 10000, expirySeconds: 60 });
    expect(await client().cancel('cl-3')).toMatchObject({ status: 'cancelled', providerStatus: 'cancel' });
    await client().createCharge({ orderId: 'cl-4', amount: 10000, expirySeconds: 60 });
    await fake.pay('cl-4');
    expect(await client().cancel('cl-4')).toMatchObject({ status: 'paid', providerStatus: 'settlement' });
    expect(await client().getStatus('no-such-order')).toBeNull();
    expect(await client().cancel('no-such-order')).toBeNull();
  });

  it('an expired charge reads as expired (Midtrans answers 407 in the body)', async () => {
    await client().createCharge({ orderId: 'cl-5', amount: 10000, expirySeconds: 60 });
    await fake.expire('cl-5');
    expect(await client().getStatus('cl-5')).toMatchObject({ status: 'expired', providerStatus: 'expire' });
  });

  it('classifies failures: a wrong key or invalid field is a refusal, 5xx/429/unreachable is retryable', async () => {
    await expect(client('SB-Mid-server-wrong').createCharge({ orderId: 'cl-6', amount: 10000, expirySeconds: 60 })).rejects.toBeInstanceOf(PaymentProviderRejectedError);
    await expect(client().createCharge({ orderId: 'bad order id!', amount: 10000, expirySeconds: 60 })).rejects.toThrow(/order_id/);
    fake.inject({ route: /\/v2\/charge/, status: 503, times: 1 });
    await expect(client().createCharge({ orderId: 'cl-7', amount: 10000, expirySeconds: 60 })).rejects.toBeInstanceOf(PaymentProviderUnavailableError);
    fake.inject({ route: /status/, status: 429, times: 1 });
    await expect(client().getStatus('cl-1')).rejects.toBeInstanceOf(PaymentProviderUnavailableError);
    const down = createMidtransProvider({ serverKey, apiUrl: 'http://127.0.0.1:9', timeoutMs: 2000 });
    await expect(down.getStatus('cl-1')).rejects.toBeInstanceOf(PaymentProviderUnavailableError);
    // Nothing was charged by the refused or failed attempts.
    expect(fake.transactions().map((t) => t.orderId)).not.toEqual(expect.arrayContaining(['cl-6', 'cl-7']));
  });

  it('maps Midtrans statuses: only settlement, or capture with fraud_status accept, is paid', () => {
    expect(midtransStatus('settlement')).toBe('paid');
    expect(midtransStatus('capture', 'accept')).toBe('paid');
    expect(midtransStatus('capture', 'challenge')).toBe('pending');
    expect(midtransStatus('capture', 'deny')).toBe('denied');
    expect(midtransStatus('pending')).toBe('pending');
    expect(midtransStatus('deny')).toBe('denied');
    expect(midtransStatus('expire')).toBe('expired');
    expect(midtransStatus('cancel')).toBe('cancelled');
    expect(midtransStatus('refund')).toBe('refunded');
    expect(midtransStatus('something-new')).toBe('pending');
    expect(parseJakartaTime('2026-11-25 08:00:00')?.toISOString()).toBe('2026-11-25T01:00:00.000Z');
    expect(parseJakartaTime('25/11/2026')).toBeNull();
  });
});
