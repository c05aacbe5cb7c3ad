import type { REST } from '@discordjs/rest';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../prisma/client';
import { createDiscordActivities } from './discord/activities';
import { createLedgerActivities } from './ledger/activities';
import { createOrderActivities } from './orders/activities';
import { createPaymentActivities, type PaymentsDeps } from './payments/activities';
import type { CodeKeyring } from '../lib/crypto/codes';
import { createShopActivities } from './shop/activities';
import { createAnnouncementActivities } from './announcements/activities';
import { createSyncActivities } from './sync/activities';
import { createTaskActivities } from './tasks/activities';
import { createTradeActivities } from './trades/activities';
import { createVerifyActivities } from './verify/activities';
import type { RobloxClient } from '../lib/roblox/client';

export interface ActivityDeps {
  prisma: PrismaClient;
  log: Logger;
  /** Discord REST client (activities/discord/rest.ts); null without DISCORD_TOKEN: Discord activities then fail saying so. */
  discord?: REST | null;
  /** Roblox web API client (lib/roblox/client.ts); null/absent: Roblox activities fail saying so. */
  roblox?: RobloxClient | null;
  /** The payment gateway; null/absent when payments are off (payment activities then fail saying so). */
  payments?: PaymentsDeps | null;
  /** The code stock's keys; null/absent when the code shop is off (order delivery then fails saying so). */
  codes?: CodeKeyring | null;
}

/**
 * All activities, built from their dependencies (tests pass their own). Each feature adds its group here:
 * `...createLedgerActivities(deps)`, and workflows import the type only.
 */
export function createActivities(deps: ActivityDeps) {
  const discord = createDiscordActivities({ ...deps, discord: deps.discord ?? null });
  return {
    ...createLedgerActivities(deps),
    ...discord,
    ...createShopActivities(deps),
    ...createSyncActivities(deps),
    ...createAnnouncementActivities(deps),
    ...createTaskActivities(deps),
    ...createVerifyActivities({ ...deps, roblox: deps.roblox ?? null, discord }),
    ...createPaymentActivities(deps),
    ...createOrderActivities(deps),
    ...createTradeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
