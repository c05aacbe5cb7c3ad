import { RefusalError } from '../../lib/errors';
import { CARD_ESCROW_FAILURES } from '../../lib/flows/card-trades';
import { ESCROW_OFF_MESSAGE } from '../../lib/payments';

export { CARD_ESCROW_FAILURES };

class CardEscrowError extends RefusalError {}

export const escrowOff = () => new CardEscrowError('card_escrow_off', CARD_ESCROW_FAILURES.off, ESCROW_OFF_MESSAGE, 503);

export const noPayoutAccount = (payeeId: string, why: 'none' | 'not_ready') =>
  new CardEscrowError(
    'card_escrow_no_payout_account',
    CARD_ESCROW_FAILURES.noPayoutAccount,
    why === 'none'
      ? `<@${payeeId}> has no payout account yet, so they cannot receive the cash part of a trade: they set one up first (Stripe onboarding: POST /api/guilds/{guild}/cards/me/payouts).`
      : `<@${payeeId}>'s payout account has not finished Stripe's onboarding yet, so they cannot receive the cash part of a trade.`,
    409,
  );

export const invalidEscrow = (message: string) => new CardEscrowError('card_escrow_invalid', CARD_ESCROW_FAILURES.invalid, message, 400);

export const unknownEscrow = (proposalId: string) =>
  new CardEscrowError('card_escrow_unknown', CARD_ESCROW_FAILURES.unknown, `Trade proposal ${proposalId} has no cash escrow.`, 404);

export const notHeld = (proposalId: string, status: string) =>
  new CardEscrowError('card_escrow_not_held', CARD_ESCROW_FAILURES.notHeld, `The cash part of trade ${proposalId} is not held (Stripe says ${status}): nothing can be paid out.`, 409);

export const alreadyReleased = (proposalId: string) =>
  new CardEscrowError('card_escrow_released', CARD_ESCROW_FAILURES.alreadyReleased, `The cash part of trade ${proposalId} was already paid out to the payee; it cannot be refunded here.`, 409);

export const alreadyRefunded = (proposalId: string) =>
  new CardEscrowError('card_escrow_refunded', CARD_ESCROW_FAILURES.alreadyRefunded, `The cash part of trade ${proposalId} was refunded (or is being); it cannot be paid out.`, 409);

export const providerRejected = (message: string) => new CardEscrowError('card_escrow_provider_rejected', CARD_ESCROW_FAILURES.providerRejected, message, 502);
