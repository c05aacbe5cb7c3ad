import { ApplicationFailure } from '@temporalio/common';
import { CARD_ESCROW_FAILURES, createCardEscrowActivities, platformFeeCents } from '../../activities/card-escrow';
import type { DiscordActivities } from '../../activities/discord/activities';
import { type EscrowHarness, startEscrowHarness } from './helpers';

let h: EscrowHarness;
beforeAll(async () => {
  h = await startEscrowHarness();
});
afterAll(async () => {
  await h?.close();
});

const acts = () => createCardEscrowActivities({ ...h.deps, discordActivities: {} as DiscordActivities });
const open = (proposalId: string, amountCents = 10_000, payeeId = 'payee-1') =>
  acts().cardsEscrowOpen({ proposalId, guildId: 'g1', payerId: 'payer-1', payeeId, amountCents, currency: 'usd' });

describe('card escrow activities at the fake Stripe', () => {
  let payeeAccount: string;
  beforeAll(async () => {
    payeeAccount = await h.onboard('payee-1');
  });

  it('opens once per proposal, is held only once Stripe says paid, and releases one transfer less 2% to the payee', async () => {
    const [first, second] = await Promise.all([open('p-release'), open('p-release')]);
    expect(second).toEqual(first);
    expect(first.payUrl).toBe('https://guildflow.test/cards/pay/p-release');
    expect(h.stripe.creations('/v1/payment_intents')).toBe(1);
    const intent = h.stripe.intent(first.paymentIntentId);
    expect(intent).toMatchObject({ amount: 10_000, currency: 'usd', transfer_group: 'card-trade:p-release', metadata: { proposalId: 'p-release' } });

    expect(await acts().cardsEscrowCheck({ proposalId: 'p-release' })).toEqual({ status: 'pending' });
    await expect(acts().cardsEscrowRelease({ proposalId: 'p-release' })).rejects.toMatchObject({ type: 'CardEscrowNotHeld' });
    expect(h.stripe.transfers()).toHaveLength(0);

    await h.stripe.pay(first.paymentIntentId);
    expect(await acts().cardsEscrowCheck({ proposalId: 'p-release' })).toEqual({ status: 'held' });

    const releases = await Promise.all([1, 2, 3].map(() => acts().cardsEscrowRelease({ proposalId: 'p-release' })));
    expect(new Set(releases.map((r) => r.transferId)).size).toBe(1);
    const transfers = h.stripe.transfers().filter((t) => t.transfer_group === 'card-trade:p-release');
    expect(transfers).toEqual([expect.objectContaining({ amount: 9_800, destination: payeeAccount, currency: 'usd', id: releases[0]?.transferId })]);
    expect(await acts().cardsEscrowCheck({ proposalId: 'p-release' })).toEqual({ status: 'released' });
    const row = await h.db.prisma.cardEscrow.findUniqueOrThrow({ where: { proposalId: 'p-release' } });
    expect(row).toMatchObject({ feeCents: 200, status: 'released', action: 'release' });

    // Paid out: a refund is refused and nothing moves.
    await expect(acts().cardsEscrowRefund({ proposalId: 'p-release', reason: 'late dispute' })).rejects.toMatchObject({ type: 'CardEscrowAlreadyReleased' });
    expect(h.stripe.refunds()).toHaveLength(0);
  });

  it('refunds on expiry once; a second call does nothing new; a release after it is refused', async () => {
    const { paymentIntentId } = await open('p-refund', 2_500);
    await h.stripe.pay(paymentIntentId);
    const first = await acts().cardsEscrowRefund({ proposalId: 'p-refund', reason: 'expired' });
    const again = await acts().cardsEscrowRefund({ proposalId: 'p-refund', reason: 'expired' });
    expect(first.refundId).toMatch(/^re_/);
    expect(again).toEqual(first);
    expect(h.stripe.refunds().filter((r) => r.payment_intent === paymentIntentId)).toEqual([expect.objectContaining({ amount: 2_500, id: first.refundId })]);
    expect(await acts().cardsEscrowCheck({ proposalId: 'p-refund' })).toEqual({ status: 'refunded' });
    await expect(acts().cardsEscrowRelease({ proposalId: 'p-refund' })).rejects.toMatchObject({ type: 'CardEscrowAlreadyRefunded' });
    expect(h.stripe.transfers().filter((t) => t.transfer_group === 'card-trade:p-refund')).toHaveLength(0);
  });

  it('overlapping refunds make one refund', async () => {
    const { paymentIntentId } = await open('p-refund-race', 3_000);
    await h.stripe.pay(paymentIntentId);
    const results = await Promise.all([1, 2, 3].map(() => acts().cardsEscrowRefund({ proposalId: 'p-refund-race', reason: 'declined' })));
    expect(new Set(results.map((r) => r.refundId)).size).toBe(1);
    expect(h.stripe.refunds().filter((r) => r.payment_intent === paymentIntentId)).toHaveLength(1);
  });

  it('a refund of an unpaid escrow cancels the PaymentIntent (it can no longer be paid) and answers null', async () => {
    const { paymentIntentId } = await open('p-unpaid', 1_000);
    expect(await acts().cardsEscrowRefund({ proposalId: 'p-unpaid', reason: 'expired' })).toEqual({ refundId: null });
    expect(h.stripe.intent(paymentIntentId)).toMatchObject({ status: 'canceled' });
    await expect(h.stripe.pay(paymentIntentId)).rejects.toThrow(/canceled/);
    expect(await acts().cardsEscrowCheck({ proposalId: 'p-unpaid' })).toEqual({ status: 'failed' });
    expect(await acts().cardsEscrowRefund({ proposalId: 'never-opened', reason: 'expired' })).toEqual({ refundId: null });
  });

  it('refuses a payee without a connected account, or one that has not finished onboarding, clearly and without a charge', async () => {
    const before = h.stripe.creations('/v1/payment_intents');
    const none = await open('p-no-account', 1_000, 'payee-without').catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ApplicationFailure);
    expect(none).toMatchObject({ type: 'CardEscrowNoPayoutAccount', nonRetryable: true });
    expect((none as Error).message).toMatch(/no payout account/);

    const { startPayoutOnboarding } = await import('../../activities/card-escrow');
    await startPayoutOnboarding(h.deps, { userId: 'payee-pending' });
    await expect(open('p-not-ready', 1_000, 'payee-pending')).rejects.toMatchObject({ type: 'CardEscrowNoPayoutAccount' });
    expect(h.stripe.creations('/v1/payment_intents')).toBe(before);
    expect(await h.db.prisma.cardEscrow.count({ where: { proposalId: { in: ['p-no-account', 'p-not-ready'] } } })).toBe(0);
  });

  it('refuses bad input and changes nothing', async () => {
    await expect(open('p-small', 10)).rejects.toMatchObject({ type: 'CardEscrowInvalid' });
    await expect(acts().cardsEscrowOpen({ proposalId: 'p-self', guildId: 'g1', payerId: 'payee-1', payeeId: 'payee-1', amountCents: 1_000, currency: 'usd' })).rejects.toMatchObject({ type: 'CardEscrowInvalid' });
    await open('p-terms', 1_000);
    await expect(open('p-terms', 2_000)).rejects.toMatchObject({ type: 'CardEscrowInvalid' });
    expect(await h.db.prisma.cardEscrow.count({ where: { proposalId: { in: ['p-small', 'p-self'] } } })).toBe(0);
  });

  it('the platform fee rounds to the cent and never takes the whole amount', () => {
    expect(platformFeeCents(10_000, 2)).toBe(200);
    expect(platformFeeCents(1_025, 2)).toBe(21);
    expect(platformFeeCents(50, 2)).toBe(1);
    expect(platformFeeCents(50, 0)).toBe(0);
    expect(platformFeeCents(100, 100)).toBe(99);
  });

  it('is off with a clear refusal when Stripe is not set up', async () => {
    const off = createCardEscrowActivities({ ...h.deps, escrow: null, discordActivities: {} as DiscordActivities });
    await expect(off.cardsEscrowCheck({ proposalId: 'p-release' })).rejects.toMatchObject({ type: CARD_ESCROW_FAILURES.off, message: expect.stringMatching(/STRIPE_SECRET_KEY/) });
  });
});
