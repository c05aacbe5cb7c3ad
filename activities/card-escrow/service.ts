import type { Logger } from '../../lib/logger';
import type { EscrowDeps } from '../../lib/payments';
import { type EscrowCharge, PaymentProviderRejectedError } from '../../lib/payments/provider';
import type { PrismaClient } from '../../prisma/client';
import { alreadyRefunded, alreadyReleased, escrowOff, invalidEscrow, noPayoutAccount, notHeld, providerRejected, unknownEscrow } from './errors';

/**
 * The cash part of a card trade, held by the platform until both traders confirm receipt (Stripe's
 * separate charges and transfers, lib/payments/stripe.ts). One `card_escrows` row per proposal; every
 * Stripe call that creates something carries an idempotency key `card-escrow:{proposalId}:{step}`, so a
 * retried or overlapping activity gets the first one's PaymentIntent, Transfer or Refund.
 *
 * Only `checkEscrow` — our own read of the PaymentIntent from Stripe's API — says money is held; a webhook
 * or a signal never does. Release and refund exclude each other: each first claims the row's `action`
 * (a conditional update), and the loser is refused.
 */

export type EscrowStatus = 'pending' | 'held' | 'failed' | 'refunded' | 'released';

export interface EscrowServiceDeps {
  prisma: PrismaClient;
  log: Logger;
  escrow?: EscrowDeps | null;
}

export interface OpenEscrowInput {
  proposalId: string;
  guildId: string;
  payerId: string;
  payeeId: string;
  amountCents: number;
  currency: 'usd';
}

/** Stripe's smallest usd charge. */
const MIN_AMOUNT_CENTS = 50;
const MAX_AMOUNT_CENTS = 99_999_999;

const escrowKey = (proposalId: string, step: 'open' | 'release' | 'refund') => `card-escrow:${proposalId}:${step}`;
const transferGroupOf = (proposalId: string) => `card-trade:${proposalId}`;

/** The platform's share, rounded to the cent, never the whole amount. */
export function platformFeeCents(amountCents: number, feePct: number): number {
  return Math.min(amountCents - 1, Math.max(0, Math.round((amountCents * feePct) / 100)));
}

function need(deps: EscrowServiceDeps): EscrowDeps {
  if (!deps.escrow) throw escrowOff();
  return deps.escrow;
}

/** Where the payer pays (the pay page reads the PaymentIntent's client secret from our API, never from a link). */
function payUrlOf(escrow: EscrowDeps, proposalId: string): string {
  return `${escrow.publicBaseUrl ?? ''}/cards/pay/${encodeURIComponent(proposalId)}`;
}

function statusOfCharge(charge: EscrowCharge): EscrowStatus {
  switch (charge.status) {
    case 'paid':
      return 'held';
    case 'refunded':
      return 'refunded';
    case 'pending':
      return 'pending';
    default:
      return 'failed';
  }
}

/** The payee's connected account, refreshed from Stripe until it can receive transfers. */
async function payoutDestination(deps: EscrowServiceDeps, escrow: EscrowDeps, payeeId: string): Promise<string> {
  const account = await deps.prisma.cardPayoutAccount.findUnique({ where: { userId: payeeId } });
  if (!account) throw noPayoutAccount(payeeId, 'none');
  if (account.payoutsEnabled) return account.stripeAccountId;
  const fresh = await escrow.provider.getConnectedAccount(account.stripeAccountId);
  if (fresh) {
    await deps.prisma.cardPayoutAccount.update({ where: { userId: payeeId }, data: { chargesEnabled: fresh.chargesEnabled, payoutsEnabled: fresh.payoutsEnabled } });
  }
  if (!fresh?.payoutsEnabled) throw noPayoutAccount(payeeId, 'not_ready');
  return account.stripeAccountId;
}

export async function openEscrow(deps: EscrowServiceDeps, input: OpenEscrowInput): Promise<{ paymentIntentId: string; payUrl: string }> {
  const escrow = need(deps);
  const { proposalId, amountCents } = input;
  if (!proposalId || proposalId.length > 100) throw invalidEscrow('A proposal id is needed (at most 100 characters).');
  if (input.currency !== 'usd') throw invalidEscrow('Only usd is supported for the cash part of a trade.');
  if (!Number.isSafeInteger(amountCents) || amountCents < MIN_AMOUNT_CENTS || amountCents > MAX_AMOUNT_CENTS) {
    throw invalidEscrow(`The cash part must be a whole number of cents from ${MIN_AMOUNT_CENTS} to ${MAX_AMOUNT_CENTS}.`);
  }
  if (input.payerId === input.payeeId) throw invalidEscrow('The payer and the payee must be different members.');

  let row = await deps.prisma.cardEscrow.findUnique({ where: { proposalId } });
  if (!row) {
    const destination = await payoutDestination(deps, escrow, input.payeeId);
    // skipDuplicates: an overlapping attempt may insert first; its row (and fee) wins below.
    await deps.prisma.cardEscrow.createMany({
      data: [
        {
          proposalId,
          guildId: input.guildId,
          payerId: input.payerId,
          payeeId: input.payeeId,
          destination,
          amountCents,
          feeCents: platformFeeCents(amountCents, escrow.feePct),
          currency: input.currency,
        },
      ],
      skipDuplicates: true,
    });
    row = await deps.prisma.cardEscrow.findUniqueOrThrow({ where: { proposalId } });
  }
  if (row.amountCents !== amountCents || row.payerId !== input.payerId || row.payeeId !== input.payeeId || row.guildId !== input.guildId) {
    throw invalidEscrow(`Trade ${proposalId} already has an escrow with other terms; a changed trade needs a new proposal id.`);
  }
  if (row.action) throw row.action === 'release' ? alreadyReleased(proposalId) : alreadyRefunded(proposalId);
  if (row.paymentIntentId && row.payUrl) return { paymentIntentId: row.paymentIntentId, payUrl: row.payUrl };

  let charge: EscrowCharge;
  try {
    charge = await escrow.provider.createEscrowCharge({
      key: escrowKey(proposalId, 'open'),
      amount: row.amountCents,
      currency: row.currency,
      transferGroup: transferGroupOf(proposalId),
      metadata: { proposalId, guildId: row.guildId, payerId: row.payerId, payeeId: row.payeeId },
      description: `Card trade ${proposalId}: cash part`,
    });
  } catch (err) {
    if (err instanceof PaymentProviderRejectedError) throw providerRejected(err.message);
    throw err;
  }
  const payUrl = payUrlOf(escrow, proposalId);
  // The idempotency key makes every attempt get the same PaymentIntent; the row keeps the first anyway.
  await deps.prisma.cardEscrow.updateMany({ where: { proposalId, paymentIntentId: null }, data: { paymentIntentId: charge.id, payUrl } });
  const stored = await deps.prisma.cardEscrow.findUniqueOrThrow({ where: { proposalId } });
  deps.log.info({ proposalId, paymentIntentId: stored.paymentIntentId, amountCents: row.amountCents }, 'card escrow opened');
  return { paymentIntentId: stored.paymentIntentId ?? charge.id, payUrl: stored.payUrl ?? payUrl };
}

/** Reads the PaymentIntent from Stripe (never from a webhook) and says where the money is. */
export async function checkEscrow(deps: EscrowServiceDeps, { proposalId }: { proposalId: string }): Promise<{ status: EscrowStatus }> {
  const escrow = need(deps);
  const row = await deps.prisma.cardEscrow.findUnique({ where: { proposalId } });
  if (!row) throw unknownEscrow(proposalId);
  if (row.transferId) return { status: 'released' };
  if (row.refundId) return { status: 'refunded' };
  if (!row.paymentIntentId) return { status: row.action === 'refund' ? 'failed' : 'pending' };
  const charge = await escrow.provider.getEscrowCharge(row.paymentIntentId);
  let status: EscrowStatus;
  if (!charge) status = 'failed';
  else if (charge.metadata.proposalId !== proposalId || charge.amount !== row.amountCents || charge.currency !== row.currency) {
    // Never count a payment made for something else as this trade's money.
    deps.log.warn({ proposalId, paymentIntentId: charge.id }, 'a PaymentIntent does not match its escrow; not held');
    status = 'failed';
  } else status = statusOfCharge(charge);
  if (status !== row.status) await deps.prisma.cardEscrow.updateMany({ where: { proposalId, transferId: null, refundId: null }, data: { status } });
  return { status };
}

/** Pays the payee's connected account, less the platform's fee; once, whatever the retries. */
export async function releaseEscrow(deps: EscrowServiceDeps, { proposalId }: { proposalId: string }): Promise<{ transferId: string }> {
  const escrow = need(deps);
  const row = await deps.prisma.cardEscrow.findUnique({ where: { proposalId } });
  if (!row) throw unknownEscrow(proposalId);
  if (row.transferId) return { transferId: row.transferId };
  if (row.action === 'refund') throw alreadyRefunded(proposalId);
  const charge = row.paymentIntentId ? await escrow.provider.getEscrowCharge(row.paymentIntentId) : null;
  if (!charge || statusOfCharge(charge) !== 'held' || !charge.chargeId || charge.amount !== row.amountCents) throw notHeld(proposalId, charge?.providerStatus ?? 'no payment');

  const claimed = await deps.prisma.cardEscrow.updateMany({ where: { proposalId, OR: [{ action: null }, { action: 'release' }] }, data: { action: 'release' } });
  if (claimed.count === 0) throw alreadyRefunded(proposalId);

  const group = transferGroupOf(proposalId);
  let transferId: string;
  try {
    // After Stripe's 24 h idempotency window the key alone would not stop a second transfer: look first.
    const existing = await escrow.provider.findTransfer(group);
    transferId =
      existing?.id ??
      (
        await escrow.provider.transfer({
          key: escrowKey(proposalId, 'release'),
          amount: row.amountCents - row.feeCents,
          currency: row.currency,
          destination: row.destination,
          transferGroup: group,
          sourceCharge: charge.chargeId,
        })
      ).id;
  } catch (err) {
    if (err instanceof PaymentProviderRejectedError) {
      // Nothing was paid out: give the claim back, so a refund stays possible.
      await deps.prisma.cardEscrow.updateMany({ where: { proposalId, action: 'release', transferId: null }, data: { action: null } });
      throw providerRejected(err.message);
    }
    throw err;
  }
  await deps.prisma.cardEscrow.updateMany({ where: { proposalId, transferId: null }, data: { transferId, status: 'released' } });
  const stored = await deps.prisma.cardEscrow.findUniqueOrThrow({ where: { proposalId } });
  deps.log.info({ proposalId, transferId: stored.transferId, amountCents: row.amountCents - row.feeCents, feeCents: row.feeCents }, 'card escrow released');
  return { transferId: stored.transferId ?? transferId };
}

/**
 * Gives the payer's money back (expiry, decline, dispute). An unpaid PaymentIntent is cancelled so it can
 * no longer be paid; null when nothing was paid. Refused once the money was paid out.
 */
export async function refundEscrow(deps: EscrowServiceDeps, { proposalId, reason }: { proposalId: string; reason: string }): Promise<{ refundId: string | null }> {
  const escrow = need(deps);
  const row = await deps.prisma.cardEscrow.findUnique({ where: { proposalId } });
  if (!row) return { refundId: null };
  if (row.refundId) return { refundId: row.refundId };
  const claimed = await deps.prisma.cardEscrow.updateMany({ where: { proposalId, OR: [{ action: null }, { action: 'refund' }] }, data: { action: 'refund', refundReason: reason.slice(0, 500) } });
  if (claimed.count === 0) throw alreadyReleased(proposalId);
  if (!row.paymentIntentId) return { refundId: null };

  let charge = await escrow.provider.getEscrowCharge(row.paymentIntentId);
  if (charge?.status === 'pending') charge = await escrow.provider.cancelEscrowCharge(row.paymentIntentId);
  if (!charge || (charge.status !== 'paid' && charge.status !== 'refunded')) {
    await deps.prisma.cardEscrow.updateMany({ where: { proposalId, refundId: null }, data: { status: 'failed' } });
    return { refundId: null };
  }
  let refundId: string;
  try {
    const existing = await escrow.provider.findRefund(charge.id);
    refundId = existing?.id ?? (await escrow.provider.refund({ key: escrowKey(proposalId, 'refund'), paymentId: charge.id, reason })).id;
  } catch (err) {
    if (err instanceof PaymentProviderRejectedError) throw providerRejected(err.message);
    throw err;
  }
  await deps.prisma.cardEscrow.updateMany({ where: { proposalId, refundId: null }, data: { refundId, status: 'refunded' } });
  const stored = await deps.prisma.cardEscrow.findUniqueOrThrow({ where: { proposalId } });
  deps.log.info({ proposalId, refundId: stored.refundId }, 'card escrow refunded');
  return { refundId: stored.refundId ?? refundId };
}

/** A member's payout account: created once at Stripe (Express), and a fresh onboarding link each time. */
export async function startPayoutOnboarding(deps: EscrowServiceDeps, { userId, email }: { userId: string; email?: string }): Promise<{ accountId: string; onboardingUrl: string; ready: boolean }> {
  const escrow = need(deps);
  let row = await deps.prisma.cardPayoutAccount.findUnique({ where: { userId } });
  if (!row) {
    const account = await escrow.provider.createConnectedAccount({ key: `card-payout-account:${userId}`, type: 'express', email, metadata: { userId } });
    await deps.prisma.cardPayoutAccount.createMany({
      data: [{ userId, stripeAccountId: account.id, chargesEnabled: account.chargesEnabled, payoutsEnabled: account.payoutsEnabled }],
      skipDuplicates: true,
    });
    row = await deps.prisma.cardPayoutAccount.findUniqueOrThrow({ where: { userId } });
  }
  const base = escrow.publicBaseUrl ?? '';
  const onboardingUrl = await escrow.provider.createOnboardingLink({
    account: row.stripeAccountId,
    refreshUrl: `${base}/api/cards/payouts/onboard`,
    returnUrl: `${base}/api/cards/payouts`,
  });
  return { accountId: row.stripeAccountId, onboardingUrl, ready: row.payoutsEnabled };
}

/** Stripe's word on a connected account (an `account.updated` event only triggers this read). */
export async function refreshPayoutAccount(deps: EscrowServiceDeps, stripeAccountId: string): Promise<void> {
  const escrow = need(deps);
  const account = await escrow.provider.getConnectedAccount(stripeAccountId);
  if (!account) return;
  await deps.prisma.cardPayoutAccount.updateMany({ where: { stripeAccountId }, data: { chargesEnabled: account.chargesEnabled, payoutsEnabled: account.payoutsEnabled } });
}
