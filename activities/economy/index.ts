/**
 * The guild economy: settings, the daily reward, gives between members and admin adjustments.
 * Plain functions over Prisma and the ledger (activities/ledger) with bigint amounts; the bot's commands
 * and the API call the same functions. Money moves only through the ledger, each movement under an
 * idempotency key, inside one database transaction with whatever else it depends on.
 */
export { adjustBalance } from './adjust';
export { currencyOf, formatDuration } from './currency';
export { claimDaily } from './daily';
export { DailyCooldownError, RateLimitedError } from './errors';
export { give, MAX_NOTE_LENGTH } from './give';
export {
  auditActorId,
  DEFAULT_ECONOMY_SETTINGS,
  getEconomySettings,
  settingsJson,
  updateEconomySettings,
  type EconomySettings,
} from './settings';
