import { RefusalError } from '../../lib/errors';
import { TRADE_FAILURES } from '../../lib/flows/trades';

/**
 * Trade refusals. `code` is stable (API bodies, the game shows it, bot replies); `failureType` is the
 * non-retryable ApplicationFailure type the activities raise, from TRADE_FAILURES (lib/flows/trades.ts). Messages are written for the member.
 */
class TradeError extends RefusalError {}

export const notLinked = (who: string) =>
  new TradeError('not_linked', TRADE_FAILURES.notLinked, `${who} has no Roblox account linked in this server: run /verify in Discord first.`, 404);
export const unknownPet = (ref: string) => new TradeError('unknown_pet', TRADE_FAILURES.unknownPet, `There is no pet ${JSON.stringify(ref)} in this server's catalogue.`, 404);
export const overLimit = (what: string) => new TradeError('over_limit', TRADE_FAILURES.limit, `This trade is over the server's limit: ${what}.`, 422);
export const invalidTrade = (message: string) => new TradeError('invalid_trade', TRADE_FAILURES.invalid, message, 400);
export const insufficientPets = (name: string, have: number, want: number) =>
  new TradeError('insufficient_pets', TRADE_FAILURES.insufficientPets, `You have ${have} × ${name}, not ${want}.`, 409, { have, want });
export const insufficientGems = (have: bigint, want: bigint) =>
  new TradeError('insufficient_gems', TRADE_FAILURES.insufficientGems, `You have ${have} gems available, not ${want}.`, 409, { have: String(have), want: String(want) });
export const petKeyConflict = (key: string) =>
  new TradeError('idempotency_conflict', TRADE_FAILURES.keyConflict, `The pet movement key ${key} was already used for a different movement.`, 409);
export const tradeState = (message: string) => new TradeError('trade_state', TRADE_FAILURES.state, message, 409);
