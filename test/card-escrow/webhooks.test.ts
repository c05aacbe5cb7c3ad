import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { createApp } from '../../api/app';
import { checkEscrow, openEscrow, refundEscrow, releaseEscrow } from '../../activities/card-escrow';
import { waitFor } from '../../lib/wait';
import { httpRequest } from '../fakes/http-fake';
import { type EscrowHarness, startEscrowHarness, WEBHOOK_SECRET } from './helpers';

/** A Temporal client stand-in: records signals; flows in `running` exist, others are not found. */
function stubTemporal() {
  const running = new Set<string>();
  const signals: { workflowId: string; signal: string }[] = [];
  const client = {
    workflow: {
      getHandle: (workflowId: string) => ({
        signal: async (def: { name: string }) => {
          if (!running.has(workflowId)) throw new WorkflowNotFoundError('workflow not found', workflowId, undefined);
          signals.push({ workflowId, signal: def.name });
        },
      }),
    },
  };
  return { client: client as unknown as Client, running, signals };
}

let h: EscrowHarness;
let server: http.Server;
let webhookUrl: string;
/** Pins the clock the webhook checks signatures against (seconds); undefined: the system clock. */
let pinnedNowS: number | undefined;
const temporal = stubTemporal();

beforeAll(async () => {
  h = await startEscrowHarness();
  const app = createApp({
    prisma: h.db.prisma,
    log: h.log,
    readiness: [],
    temporal: temporal.client,
    stripeWebhookSecret: WEBHOOK_SECRET,
    escrow: h.escrow,
    stripeClock: () => (pinnedNowS === undefined ? new Date() : new Date(pinnedNowS * 1000)),
  });
  server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  h.stripe.setWebhookUrl(webhookUrl);
  await h.onboard('payee-1');
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await h?.close();
});

const open = (proposalId: string, amountCents = 10_000) => openEscrow(h.deps, { proposalId, guildId: 'g1', payerId: 'payer-1', payeeId: 'payee-1', amountCents, currency: 'usd' });
const eventRows = (proposalId: string) => h.db.prisma.stripeEvent.findMany({ where: { proposalId }, orderBy: { receivedAt: 'asc' } });

describe('POST /webhooks/stripe', () => {
  it('records each event once though Stripe sends it three times, signals the trade flow once per event, and one release pays 98% to the payee', async () => {
    temporal.running.add('card-trade:p-hook');
    const { paymentIntentId } = await open('p-hook');
    h.stripe.setWebhookMode('duplicate');
    await h.stripe.pay(paymentIntentId);
    h.stripe.setWebhookMode('normal');

    const succeeded = h.stripe.events().filter((e) => e.type === 'payment_intent.succeeded' && e.raw.includes(paymentIntentId));
    expect(succeeded).toHaveLength(1);
    expect(succeeded[0]?.answers).toEqual([200, 200, 200]);
    await waitFor(async () => (await eventRows('p-hook')).every((r) => r.signalResult !== null), { timeoutMs: 10_000, what: 'the events acted on' });
    const rows = await eventRows('p-hook');
    expect(rows.map((r) => r.type).sort()).toEqual(['charge.succeeded', 'payment_intent.succeeded']);
    expect(rows.map((r) => r.signalResult)).toEqual(['signalled', 'signalled']);
    expect(temporal.signals.filter((s) => s.workflowId === 'card-trade:p-hook')).toEqual([
      { workflowId: 'card-trade:p-hook', signal: 'escrowChanged' },
      { workflowId: 'card-trade:p-hook', signal: 'escrowChanged' },
    ]);

    // The flow, woken, asks Stripe itself; then releases once.
    expect(await checkEscrow(h.deps, { proposalId: 'p-hook' })).toEqual({ status: 'held' });
    await releaseEscrow(h.deps, { proposalId: 'p-hook' });
    expect(h.stripe.transfers().filter((t) => t.transfer_group === 'card-trade:p-hook').map((t) => t.amount)).toEqual([9_800]);
  });

  it('a flow that does not exist: recorded as not_found, Stripe still gets its 200', async () => {
    const { paymentIntentId } = await open('p-noflow');
    await h.stripe.pay(paymentIntentId);
    expect(h.stripe.events().filter((e) => e.raw.includes(paymentIntentId)).every((e) => e.answers[0] === 200)).toBe(true);
    await waitFor(async () => (await eventRows('p-noflow')).every((r) => r.signalResult !== null), { timeoutMs: 10_000, what: 'the events acted on' });
    expect((await eventRows('p-noflow')).map((r) => r.signalResult)).toEqual(['not_found', 'not_found']);
  });

  it('events out of order (payment_intent.succeeded after charge.refunded) create no value: the check says refunded, a release is refused', async () => {
    const { paymentIntentId } = await open('p-order', 5_000);
    h.stripe.setWebhookMode('out-of-order');
    await h.stripe.pay(paymentIntentId); // charge.succeeded goes; payment_intent.succeeded is held back
    await refundEscrow(h.deps, { proposalId: 'p-order', reason: 'expired' }); // charge.refunded, then the late succeeded
    h.stripe.setWebhookMode('normal');
    const types = h.stripe.events().filter((e) => e.raw.includes(paymentIntentId)).map((e) => e.type);
    expect(types.indexOf('payment_intent.succeeded')).toBeGreaterThan(types.indexOf('charge.refunded'));
    await waitFor(async () => (await eventRows('p-order')).length === 3, { timeoutMs: 10_000, what: 'three events recorded' });

    expect(await checkEscrow(h.deps, { proposalId: 'p-order' })).toEqual({ status: 'refunded' });
    await expect(releaseEscrow(h.deps, { proposalId: 'p-order' })).rejects.toMatchObject({ code: 'card_escrow_refunded' });
    expect(h.stripe.transfers().filter((t) => t.transfer_group === 'card-trade:p-order')).toHaveLength(0);
    expect(h.stripe.refunds().filter((r) => r.payment_intent === paymentIntentId)).toHaveLength(1);
  });

  describe('signature', () => {
    const body = () => JSON.stringify({ id: `evt_sig${Math.random().toString(36).slice(2)}`, object: 'event', type: 'payment_intent.processing', data: { object: { id: 'pi_x', metadata: { proposalId: 'p-sig' } } } });
    const post = (raw: string, headers: Record<string, string>) => httpRequest(webhookUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: raw });
    const now = () => Math.floor(Date.now() / 1000);
    const count = () => h.db.prisma.stripeEvent.count({ where: { proposalId: 'p-sig' } });

    it('accepts a signature 299 s old and refuses one 301 s old', async () => {
      const t = now();
      const raw = body();
      const late = body();
      try {
        pinnedNowS = t + 299;
        expect((await post(raw, { 'Stripe-Signature': h.stripe.sign(raw, t) })).status).toBe(200);
        pinnedNowS = t + 301;
        const res = await post(late, { 'Stripe-Signature': h.stripe.sign(late, t) });
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ error: { code: 'invalid_signature' } });
      } finally {
        pinnedNowS = undefined;
      }
      expect(await count()).toBe(1);
    });

    it('refuses a tampered body, a wrong secret, a missing or malformed header; nothing recorded', async () => {
      const before = await count();
      const raw = body();
      const header = h.stripe.sign(raw, now());
      expect((await post(raw.replace('processing', 'succeeded'), { 'Stripe-Signature': header })).status).toBe(400);
      expect((await post(raw, { 'Stripe-Signature': h.stripe.sign(raw, now(), 'whsec_other') })).status).toBe(400);
      expect((await post(raw, {})).status).toBe(400);
      expect((await post(raw, { 'Stripe-Signature': 'v1=abc' })).status).toBe(400);
      expect(await count()).toBe(before);
    });

    it('accepts any of several v1 values (a secret being rolled)', async () => {
      const raw = body();
      const t = now();
      const wrong = h.stripe.sign(raw, t, 'whsec_old_secret').split(',')[1];
      const right = h.stripe.sign(raw, t).split(',')[1];
      const res = await post(raw, { 'Stripe-Signature': `t=${t},${wrong},v0=deadbeef,${right}` });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ status: 'recorded' });
      expect((await post(raw, { 'Stripe-Signature': `t=${t},${right}` })).json).toEqual({ status: 'duplicate' });
    });
  });

  it('account.updated reads the connected account from Stripe', async () => {
    const { startPayoutOnboarding } = await import('../../activities/card-escrow');
    const { accountId } = await startPayoutOnboarding(h.deps, { userId: 'payee-late' });
    expect(await h.db.prisma.cardPayoutAccount.findUniqueOrThrow({ where: { userId: 'payee-late' } })).toMatchObject({ payoutsEnabled: false });
    await h.stripe.completeOnboarding(accountId);
    await waitFor(async () => ((await h.db.prisma.cardPayoutAccount.findUniqueOrThrow({ where: { userId: 'payee-late' } })).payoutsEnabled ? true : undefined), { timeoutMs: 10_000, what: 'payouts enabled' });
  });
});
