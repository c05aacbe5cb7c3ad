import { confirmTradeReceipt, respondToTrade } from '../../lib/flows/card-trades.client';
import { waitFor } from '../../lib/wait';
import { itemOf, newMember, ownCard, propose } from './helpers';
import { startStripeTradeEnv, type StripeTradeEnv } from './stripe-env';

/**
 * The fake Stripe failing (500/503) under a cash trade, as the flow's design says it copes:
 * - opening the escrow is an outside call with a finite budget: a short outage is retried (one
 *   PaymentIntent), a long one cancels the trade with the reason and frees the reserved cards;
 * - releasing and refunding move money and never give up: the flow is marked stuck (one admin-log
 *   notice), keeps trying, and once Stripe answers again pays exactly once.
 */
jest.setTimeout(240_000);

describe('card trade cash while Stripe is down', () => {
  let env: StripeTradeEnv;
  beforeAll(async () => {
    env = await startStripeTradeEnv();
    await env.startEscrowWorker();
  });
  afterAll(async () => {
    await env?.close();
  });
  afterEach(() => env.stripe.clearFaults());

  const escrowRow = (proposalId: string) => env.prisma.cardEscrow.findUnique({ where: { proposalId } });
  const proposalRow = (proposalId: string) => env.prisma.cardTradeProposal.findUnique({ where: { id: proposalId } });

  async function cashTrade(name: string, cents: number, extra: { expirySeconds?: number; escrowCheckSeconds?: number } = {}) {
    const seller = newMember(env, `${name}-seller`);
    const buyer = newMember(env, `${name}-buyer`);
    const account = await env.onboard(seller);
    const card = await ownCard(env, seller, 1);
    const { proposalId } = await propose(env, {
      proposerId: seller,
      recipientId: buyer,
      escrowCheckSeconds: 3_600,
      ...extra,
      terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [], cashCents: cents, cashPayerId: buyer },
    });
    return { seller, buyer, account, card, proposalId };
  }

  it('open: a short outage is retried into one PaymentIntent; a long one cancels the trade and frees the cards', async () => {
    const short = await cashTrade('short', 1_000);
    const before = env.stripe.creations('/v1/payment_intents');
    env.stripe.inject({ route: /^\/v1\/payment_intents$/, method: 'POST', status: 500, times: 2 });
    await respondToTrade(env.temporal.client, short.proposalId, { userId: short.buyer, action: 'accept' });
    await waitFor(async () => (await escrowRow(short.proposalId))?.paymentIntentId, { timeoutMs: 60_000, what: 'the PaymentIntent after the outage' });
    expect(env.stripe.creations('/v1/payment_intents')).toBe(before + 1);
    expect(env.stripe.requests().filter((r) => r.path === '/v1/payment_intents' && r.method === 'POST' && r.status === 500)).toHaveLength(2);
    // The open step writes the row before it returns; the flow says pending only once it has returned.
    await waitFor(async () => (await env.stateOf(short.proposalId)).escrow === 'pending', { timeoutMs: 30_000, what: 'the flow to show the escrow pending' });
    expect((await env.stateOf(short.proposalId)).escrow).toBe('pending');

    const long = await cashTrade('long', 1_000);
    expect(await itemOf(env, long.card)).toMatchObject({ reserved: 1 });
    const created = env.stripe.creations('/v1/payment_intents');
    env.stripe.inject({ route: /^\/v1\/payment_intents$/, method: 'POST', status: 503 });
    await respondToTrade(env.temporal.client, long.proposalId, { userId: long.buyer, action: 'accept' });
    const ended = await waitFor(async () => ((await proposalRow(long.proposalId))?.status === 'cancelled' ? proposalRow(long.proposalId) : undefined), {
      timeoutMs: 120_000,
      what: 'the trade cancelled after the open budget',
    });
    expect(ended?.endedReason ?? '').toMatch(/payment could not be set up/);
    expect(env.stripe.creations('/v1/payment_intents')).toBe(created);
    expect(await itemOf(env, long.card)).toMatchObject({ quantity: 1, reserved: 0 });
  });

  it('release: Stripe down when both confirm → stuck (one notice), no transfer; Stripe back → exactly one transfer', async () => {
    const t = await cashTrade('release', 2_000);
    await respondToTrade(env.temporal.client, t.proposalId, { userId: t.buyer, action: 'accept' });
    const pi = await waitFor(async () => (await escrowRow(t.proposalId))?.paymentIntentId, { timeoutMs: 30_000, what: 'the PaymentIntent' });
    await env.stripe.pay(pi);
    await waitFor(async () => (await escrowRow(t.proposalId))?.status === 'held', { timeoutMs: 30_000, what: 'the escrow held' });
    // The check writes the row before it returns; the flow takes receipts only once its own state says held.
    await waitFor(async () => (await env.stateOf(t.proposalId)).escrow === 'held', { timeoutMs: 30_000, what: 'the flow to count the cash held' });

    env.stripe.inject({ route: /^\/v1\/transfers/, status: 500 });
    await confirmTradeReceipt(env.temporal.client, t.proposalId, t.seller);
    await confirmTradeReceipt(env.temporal.client, t.proposalId, t.buyer);
    // Only this trade releases cash in this file.
    const stuckNotice = (text: string) => env.adminLog().filter((m) => m.includes(text) && m.includes('release the cash'));
    await waitFor(() => stuckNotice('A flow is stuck').length > 0, { timeoutMs: 60_000, what: 'the stuck notice in the admin log' });
    // The release keeps trying (its look-up of earlier transfers, then the transfer) and keeps failing.
    await waitFor(() => env.stripe.requests().filter((r) => r.path.startsWith('/v1/transfers') && r.fault === 500).length >= 3, {
      timeoutMs: 60_000,
      what: 'several failed transfer attempts',
    });
    expect(env.stripe.transfers().filter((x) => x.transfer_group === `card-trade:${t.proposalId}`)).toHaveLength(0);
    // The cards already moved (one transaction); only the cash waits.
    expect(await itemOf(env, t.card)).toMatchObject({ quantity: 0, reserved: 0 });
    expect((await env.stateOf(t.proposalId)).escrow).toBe('held');

    env.stripe.clearFaults();
    await waitFor(() => env.stripe.transfers().some((x) => x.transfer_group === `card-trade:${t.proposalId}`), { timeoutMs: 60_000, what: 'the transfer once Stripe answers' });
    await waitFor(async () => (await escrowRow(t.proposalId))?.status === 'released', { timeoutMs: 30_000, what: 'the escrow released' });
    expect(env.stripe.transfers().filter((x) => x.transfer_group === `card-trade:${t.proposalId}`)).toEqual([expect.objectContaining({ amount: 1_960, destination: t.account })]);
    expect(await proposalRow(t.proposalId)).toMatchObject({ status: 'completed' });
    await waitFor(() => stuckNotice('stuck flow went through').length > 0, { timeoutMs: 30_000, what: 'the went-through notice' });
    expect(stuckNotice('A flow is stuck')).toHaveLength(1);
    expect(env.stripe.refunds().filter((r) => r.payment_intent === pi)).toHaveLength(0);
  });

  it('expiry: paid but Stripe down (our check cannot confirm) → expired; the refund waits for Stripe and happens once', async () => {
    const t = await cashTrade('expiry', 3_000, { expirySeconds: 8, escrowCheckSeconds: 1 });
    await respondToTrade(env.temporal.client, t.proposalId, { userId: t.buyer, action: 'accept' });
    const pi = await waitFor(async () => (await escrowRow(t.proposalId))?.paymentIntentId, { timeoutMs: 30_000, what: 'the PaymentIntent' });
    // Down from before the payment: every check and the refund fail until Stripe is back.
    env.stripe.inject({ route: /^\/v1\/(payment_intents\/|refunds)/, status: 500 });
    await env.stripe.pay(pi);
    await waitFor(async () => (await proposalRow(t.proposalId))?.status === 'expired', { timeoutMs: 60_000, what: 'the trade expired' });
    await waitFor(() => env.adminLog().some((m) => m.includes('A flow is stuck') && m.includes('refund the cash')), { timeoutMs: 60_000, what: 'the refund stuck notice' });
    expect(env.stripe.refunds().filter((r) => r.payment_intent === pi)).toHaveLength(0);
    expect(await itemOf(env, t.card)).toMatchObject({ quantity: 1, reserved: 0 });

    env.stripe.clearFaults();
    await waitFor(async () => (await escrowRow(t.proposalId))?.refundId, { timeoutMs: 60_000, what: 'the refund recorded once Stripe answers' });
    expect(env.stripe.refunds().filter((r) => r.payment_intent === pi)).toEqual([expect.objectContaining({ amount: 3_000 })]);
    await waitFor(async () => (await env.temporal.client.workflow.getHandle(`card-trade:${t.proposalId}`).describe()).status.name === 'COMPLETED', {
      timeoutMs: 30_000,
      what: 'the flow ended',
    });
    expect(env.stripe.refunds().filter((r) => r.payment_intent === pi)).toHaveLength(1);
    expect(env.stripe.transfers().filter((x) => x.transfer_group === `card-trade:${t.proposalId}`)).toHaveLength(0);
  });
});
