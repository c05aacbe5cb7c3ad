import { LEDGER_FAILURES } from './ledger';

/**
 * The economy's refusals by name (activities/economy/errors.ts raises them). The economy runs no flow of
 * its own: its commands are single transactions. A flow that calls its functions lists these.
 */
export const ECONOMY_FAILURES = {
  /** Over the per-admin limit of balance changes. */
  rateLimited: 'EconomyRateLimited',
  dailyCooldown: 'DailyCooldown',
  /** The daily amount is 0. */
  dailyOff: 'DailyOff',
  /** A give or an admin removal would take a member below zero: the ledger's refusal, in the member's words. */
  insufficientFunds: LEDGER_FAILURES.insufficientFunds,
} as const;
