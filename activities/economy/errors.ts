import { formatAmount } from '../../lib/discord/amounts';
import { RefusalError } from '../../lib/errors';
import { ECONOMY_FAILURES } from '../../lib/flows/economy';
import type { Asset, InsufficientFundsError } from '../ledger';
import { formatDuration } from './currency';

/**
 * The economy's business refusals: a stable `code` (API bodies, bot replies), an HTTP status and a
 * `failureType` from ECONOMY_FAILURES. Nothing was changed when one is thrown.
 */
class EconomyError extends RefusalError {}

/** Over the admin adjust limit. */
export class RateLimitedError extends EconomyError {
  constructor(
    readonly retryAfterSeconds: number,
    limit: number,
  ) {
    super(
      'rate_limited',
      ECONOMY_FAILURES.rateLimited,
      `You can make at most ${limit} balance change${limit === 1 ? '' : 's'} per minute. Try again in ${retryAfterSeconds} s. Nothing was changed.`,
      429,
      { retryAfterSeconds, limit },
    );
  }
}

/** Claimed again before the cooldown ended. */
export class DailyCooldownError extends EconomyError {
  constructor(
    readonly nextClaimAt: Date,
    now: Date,
  ) {
    const left = (nextClaimAt.getTime() - now.getTime()) / 1000;
    super(
      'daily_cooldown',
      ECONOMY_FAILURES.dailyCooldown,
      `You already claimed your daily reward. Come back in ${formatDuration(left)} (<t:${Math.ceil(nextClaimAt.getTime() / 1000)}:R>).`,
      429,
      { nextClaimAt: nextClaimAt.toISOString(), retryAfterSeconds: Math.ceil(left) },
    );
  }
}

export const dailyOff = () =>
  new EconomyError('daily_off', ECONOMY_FAILURES.dailyOff, 'Daily rewards are switched off in this server (the daily amount is 0).', 409);

/** A member's gift that their available balance does not cover. */
export const notEnoughToGive = (currency: Asset, err: InsufficientFundsError, amount: bigint) =>
  new EconomyError(
    'insufficient_funds',
    ECONOMY_FAILURES.insufficientFunds,
    `You have ${formatAmount(currency, err.available)}${err.held > 0n ? ' available' : ''}, not enough to give ${formatAmount(currency, amount)}. Nothing was sent.`,
    409,
    err.details,
  );

/** An admin removal that would take the member below zero. */
export const notEnoughToRemove = (currency: Asset, err: InsufficientFundsError, userId: string, amount: bigint) =>
  new EconomyError(
    'insufficient_funds',
    ECONOMY_FAILURES.insufficientFunds,
    `<@${userId}> has ${formatAmount(currency, err.available)}${err.held > 0n ? ' available' : ''}: removing ${formatAmount(currency, amount)} would take them below zero. Nothing was changed.`,
    409,
    err.details,
  );
