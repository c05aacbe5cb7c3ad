import { platformFeeCents } from '../../activities/card-escrow';
import { confirmTradeReceipt, respondToTrade } from '../../lib/flows/card-trades.client';
import { waitFor } from '../../lib/wait';
import { itemOf, newMember, ownCard, propose } from './helpers';
import { FEE_PCT, startStripeTradeEnv, type StripeTradeEnv } from './stripe-env';

/**
 * A cash trade end to end through Stripe's real path: the fake Stripe sends its signed webhook to POST
 * /webhooks/stripe on a running API, which wakes the real card trade workflow; the flow's escrow activity
 * asks the fake Stripe's API whether the money is held; both confirm → the cards move and one transfer,
 * less the platform fee, reaches the seller's connected account. Every event is delivered three times.
 */
jest.setTimeout(240_000);

describe('card trade with cash: Stripe webhook → workflow → escrow → transfer', () => {
  let env: StripeTradeEnv;
  beforeAll(async () => {
    env = await startStripeTradeEnv();
    await env.startEscrowWorker();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('the paid webhook (×3) wakes the flow, our check holds the money, both confirm → one transfer to the seller, fee kept', async () => {
    const seller = newMember(env, 'seller');
    const buyer = newMember(env, 'buyer');
    const account = await env.onboard(seller);
    const card = await ownCard(env, seller, 1, 'Baneslayer Angel');
    const cents = 1_525;
    // Checks only when woken (the timer is far away): the webhook is what moves the flow on.
    const { proposalId } = await propose(env, {
      proposerId: seller,
      recipientId: buyer,
      escrowCheckSeconds: 3_600,
      terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [], cashCents: cents, cashPayerId: buyer },
    });
    await respondToTrade(env.temporal.client, proposalId, { userId: buyer, action: 'accept' });
    const opened = await waitFor(async () => (await env.prisma.cardEscrow.findUnique({ where: { proposalId } }))?.paymentIntentId ?? undefined, {
      timeoutMs: 30_000,
      what: 'the PaymentIntent at the fake Stripe',
    });
    expect(env.stripe.intent(opened)).toMatchObject({ amount: cents, currency: 'usd', transfer_group: `card-trade:${proposalId}`, metadata: { proposalId } });

    env.stripe.setWebhookMode('duplicate');
    try {
      await env.stripe.pay(opened);
    } finally {
      env.stripe.setWebhookMode('normal');
    }
    const paidEvents = env.stripe.events().filter((e) => e.raw.includes(opened) && e.type === 'payment_intent.succeeded');
    expect(paidEvents).toHaveLength(1);
    expect(paidEvents[0]!.answers).toEqual([200, 200, 200]);
    // Recorded once per event id, however often Stripe sent it.
    const rows = await env.prisma.stripeEvent.findMany({ where: { proposalId } });
    expect(rows.filter((r) => r.id === paidEvents[0]!.id)).toHaveLength(1);

    // The flow's own check at the fake Stripe's API said held (the row carries what the check read).
    await waitFor(async () => (await env.prisma.cardEscrow.findUnique({ where: { proposalId } }))?.status === 'held', { timeoutMs: 30_000, what: 'the escrow held by our check' });
    expect(env.stripe.requests().some((r) => r.method === 'GET' && r.path.startsWith(`/v1/payment_intents/${opened}`))).toBe(true);
    // The flow learns it when the check returns, after the row: confirming earlier is refused as not paid.
    await waitFor(async () => (await env.stateOf(proposalId)).escrow === 'held', { timeoutMs: 30_000, what: 'the flow knows the money is held' });

    await confirmTradeReceipt(env.temporal.client, proposalId, seller);
    expect(env.stripe.transfers().filter((t) => t.transfer_group === `card-trade:${proposalId}`)).toHaveLength(0);
    await confirmTradeReceipt(env.temporal.client, proposalId, buyer);

    const transfer = await waitFor(() => env.stripe.transfers().find((t) => t.transfer_group === `card-trade:${proposalId}`), { timeoutMs: 30_000, what: 'the transfer at the fake Stripe' });
    const fee = platformFeeCents(cents, FEE_PCT);
    expect(fee).toBe(31);
    expect(transfer).toMatchObject({ amount: cents - fee, currency: 'usd', destination: account });
    // The cards move (proposal completed) before the cash is released: wait for the escrow row itself.
    await waitFor(async () => (await env.prisma.cardEscrow.findUnique({ where: { proposalId } }))?.status === 'released', { timeoutMs: 30_000, what: 'the escrow released' });
    expect(await env.prisma.cardEscrow.findUniqueOrThrow({ where: { proposalId } })).toMatchObject({ status: 'released', action: 'release', feeCents: fee, transferId: transfer.id });
    expect(await env.prisma.cardTradeProposal.findUniqueOrThrow({ where: { id: proposalId } })).toMatchObject({ status: 'completed' });
    expect(await itemOf(env, card)).toMatchObject({ quantity: 0, reserved: 0 });
    expect(await env.prisma.cardCollectionItem.findFirst({ where: { userId: buyer } })).toMatchObject({ quantity: 1 });

    // The paid event delivered three times more after the end: 200 duplicate, nothing moves again.
    for (let i = 0; i < 3; i += 1) await env.stripe.sendEvent('payment_intent.succeeded', JSON.parse(paidEvents[0]!.raw).data.object, { id: paidEvents[0]!.id });
    expect(env.stripe.events().filter((e) => e.id === paidEvents[0]!.id).flatMap((e) => e.answers)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(env.stripe.transfers().filter((t) => t.transfer_group === `card-trade:${proposalId}`)).toHaveLength(1);
    expect(env.stripe.creations('/v1/transfers')).toBe(1);
    expect(env.stripe.creations('/v1/payment_intents')).toBe(1);
    expect(env.stripe.refunds()).toHaveLength(0);
  });
});
