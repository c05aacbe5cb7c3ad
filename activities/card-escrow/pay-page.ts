import { AppError, ForbiddenError, NotFoundError } from '../../lib/errors';
import { escrowOff } from './errors';
import { checkEscrow, type EscrowServiceDeps, type EscrowStatus, startPayoutOnboarding } from './service';

/**
 * What the payer's pay page and the payout onboarding pages ask of the escrow, for the signed-in member:
 * their trade's escrow as our own read of Stripe says (never a redirect's query string), the
 * PaymentIntent's client secret for the payer only, and their payout account as Stripe reports it.
 */

export interface PayView {
  proposalId: string;
  role: 'payer' | 'payee';
  tradeStatus: string;
  /** null: the trade has no escrow yet (not accepted, or being set up). */
  escrowStatus: EscrowStatus | null;
  amountCents: number;
  currency: string;
}

/** The trade of a party: a stranger gets the same 404 as a trade that does not exist. */
async function partyTrade(deps: EscrowServiceDeps, proposalId: string, userId: string) {
  const trade = await deps.prisma.cardTradeProposal.findUnique({ where: { id: proposalId } });
  const escrow = await deps.prisma.cardEscrow.findUnique({ where: { proposalId } });
  const payerId = escrow?.payerId ?? trade?.cashPayerId ?? null;
  const payeeId = escrow?.payeeId ?? (trade && payerId ? (payerId === trade.proposerId ? trade.recipientId : trade.proposerId) : null);
  if (!trade || !payerId || (userId !== payerId && userId !== payeeId)) throw new NotFoundError(`You have no trade ${proposalId} with a cash part.`);
  return { trade, escrow, role: userId === payerId ? ('payer' as const) : ('payee' as const) };
}

/** The trade's cash part as the pay page shows it; a party's only. */
export async function payView(deps: EscrowServiceDeps, { proposalId, userId }: { proposalId: string; userId: string }): Promise<PayView> {
  const { trade, escrow, role } = await partyTrade(deps, proposalId, userId);
  const escrowStatus = escrow ? (await checkEscrow(deps, { proposalId })).status : null;
  return { proposalId, role, tradeStatus: trade.status, escrowStatus, amountCents: escrow?.amountCents ?? trade.cashCents, currency: escrow?.currency ?? 'usd' };
}

const notAwaiting = (proposalId: string, why: string) => new AppError('card_trade_not_awaiting_payment', `Trade ${proposalId} is not waiting for your payment: ${why}.`, 409);

/** The PaymentIntent's client secret for Stripe's Payment Element: the payer's, while the payment is due. */
export async function payerClientSecret(deps: EscrowServiceDeps, { proposalId, userId }: { proposalId: string; userId: string }): Promise<{ clientSecret: string; amountCents: number; currency: string }> {
  if (!deps.escrow) throw escrowOff();
  const { trade, escrow, role } = await partyTrade(deps, proposalId, userId);
  if (role !== 'payer') throw new ForbiddenError(`Only <@${escrow?.payerId ?? trade.cashPayerId}> pays the cash part of trade ${proposalId}; you receive it.`);
  if (!escrow?.paymentIntentId) throw notAwaiting(proposalId, `the trade is ${trade.status} and its payment is not open`);
  if (trade.status !== 'accepted') throw notAwaiting(proposalId, `the trade is ${trade.status}`);
  const { status } = await checkEscrow(deps, { proposalId });
  if (status !== 'pending') throw notAwaiting(proposalId, `its cash is ${status}`);
  const charge = await deps.escrow.provider.getEscrowCharge(escrow.paymentIntentId);
  if (!charge?.clientSecret) throw notAwaiting(proposalId, 'Stripe has no open payment for it');
  return { clientSecret: charge.clientSecret, amountCents: escrow.amountCents, currency: escrow.currency };
}

/** Stripe's onboarding link expired (its refresh_url): a fresh one for the member's own account. */
export async function freshOnboardingLink(deps: EscrowServiceDeps, { userId }: { userId: string }): Promise<string> {
  const row = await deps.prisma.cardPayoutAccount.findUnique({ where: { userId } });
  if (!row) throw new NotFoundError('You have no payout account yet: set one up first (POST /api/guilds/{guild}/cards/me/payouts).');
  return (await startPayoutOnboarding(deps, { userId })).onboardingUrl;
}

export interface PayoutAccountView {
  accountId: string;
  ready: boolean;
  detailsSubmitted: boolean;
  payoutsEnabled: boolean;
  /** Stripe's names of what it still needs (e.g. `external_account`, `individual.verification.document`). */
  missing: string[];
}

/** Back from onboarding (its return_url): Stripe's word on the member's account, stored for the escrow. */
export async function payoutAccountView(deps: EscrowServiceDeps, { userId }: { userId: string }): Promise<PayoutAccountView> {
  if (!deps.escrow) throw escrowOff();
  const row = await deps.prisma.cardPayoutAccount.findUnique({ where: { userId } });
  if (!row) throw new NotFoundError('You have no payout account yet: set one up first (POST /api/guilds/{guild}/cards/me/payouts).');
  const account = await deps.escrow.provider.getConnectedAccount(row.stripeAccountId);
  if (!account) throw new NotFoundError(`Stripe no longer knows your payout account ${row.stripeAccountId}.`);
  await deps.prisma.cardPayoutAccount.update({ where: { userId }, data: { chargesEnabled: account.chargesEnabled, payoutsEnabled: account.payoutsEnabled } });
  return { accountId: account.id, ready: account.payoutsEnabled, detailsSubmitted: account.detailsSubmitted, payoutsEnabled: account.payoutsEnabled, missing: account.currentlyDue };
}
