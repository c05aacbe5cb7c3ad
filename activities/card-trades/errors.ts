import { AppError, RefusalError } from '../../lib/errors';
import { CARD_TRADE_FAILURES } from '../../lib/flows/card-trades';

/**
 * Card trades' business refusals: a stable `code` (API bodies, bot replies), an HTTP status and a failure
 * type from CARD_TRADE_FAILURES (the non-retryable ApplicationFailure activities raise).
 */
class CardTradeError extends RefusalError {}

export const proposalNotFound = (id: string) =>
  new CardTradeError('trade_not_found', CARD_TRADE_FAILURES.proposalNotFound, `There is no trade proposal ${JSON.stringify(id)}.`, 404);
export const proposalState = (message: string) => new CardTradeError('trade_state', CARD_TRADE_FAILURES.proposalState, message);
export const cardsNotAvailable = (what: string, free: number, wanted: number) =>
  new CardTradeError(
    'cards_not_available',
    CARD_TRADE_FAILURES.cardsNotAvailable,
    `Not enough copies of ${what}: ${wanted} wanted, ${free} not already promised in other live proposals. Nothing was reserved.`,
  );
export const notParty = () => new CardTradeError('not_a_party', CARD_TRADE_FAILURES.notParty, 'Only the two members of this trade can do that.', 403);
export const alreadyRated = () => new CardTradeError('already_rated', CARD_TRADE_FAILURES.alreadyRated, 'You already rated this trade (once per trade).');
export const cashUnavailable = () =>
  new CardTradeError('cash_unavailable', CARD_TRADE_FAILURES.cashUnavailable, 'Cash trades are not available yet: propose the trade without cash.');
/** A message's idempotency key sent again with another text: a new message needs a new key. */
export const messageKeyReused = () => new AppError('idempotency_key_reused', 'This idempotency key was already used for another message: send a new message with a new key.', 409);
