import type { REST } from 'discord.js';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../prisma/client';
import { createDiscordActivities } from './discord/activities';
import { createLedgerActivities } from './ledger/activities';
import { createPaymentActivities, type PaymentsDeps } from './payments/activities';
import { createShopActivities } from './shop/activities';

export interface ActivityDeps {
  prisma: PrismaClient;
  log: Logger;
  /** Discord REST client (activities/discord/rest.ts); null without DISCORD_TOKEN: Discord activities then fail saying so. */
  discord?: REST | null;
  /** The payment gateway; null/absent when payments are off (payment activities then fail saying so). */
  payments?: PaymentsDeps | null;
}

/**
 * All activities, built from their dependencies (tests pass their own). Each feature adds its group here:
 * `...createLedgerActivities(deps)`, and workflows import the type only.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createLedgerActivities(deps),
    ...createDiscordActivities({ ...deps, discord: deps.discord ?? null }),
    ...createShopActivities(deps),
    ...createPaymentActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
