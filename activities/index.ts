import { createGuildDirectory } from '../lib/discord/guild-directory';
import type { ActivityDeps, FeatureDeps } from './deps';
import { createCardTradeActivities } from './card-trades/activities';
import { createCardAlertActivities } from './cards/alerts';
import { createCardEscrowActivities } from './card-escrow/activities';
import { createDiscordActivities } from './discord/activities';
import { createLedgerActivities } from './ledger/activities';
import { createNotifyActivities } from './notify/activities';
import { createOrderActivities } from './orders/activities';
import { createPadActivities } from './pads/activities';
import { createPaymentActivities } from './payments/activities';
import { createShopActivities } from './shop/activities';
import { createAnnouncementActivities } from './announcements/activities';
import { createSyncActivities } from './sync/activities';
import { createTicketActivities } from './tickets/activities';
import { createTaskActivities } from './tasks/activities';
import { createTradeActivities } from './trades/activities';
import { createVerifyActivities } from './verify/activities';

/**
 * All activities, built from their dependencies (tests pass their own). Each feature adds its group here:
 * `...createLedgerActivities(deps)`, and workflows import the type only.
 */
export function createActivities(given: ActivityDeps) {
  // One directory (one cache) for every activity of the process.
  const activityDeps = { ...given, guildDirectory: given.guildDirectory ?? (given.discord ? createGuildDirectory(given.discord) : null) };
  const discord = createDiscordActivities({ ...activityDeps, discord: activityDeps.discord ?? null });
  const deps: FeatureDeps = { ...activityDeps, discordActivities: discord };
  // Registered always (they refuse, saying so, when Stripe is off); the trade flow opens cash trades only
  // when the escrow is on. Tests may hand the trade flow stand-ins (deps.cardEscrow), registered after these.
  const escrow = createCardEscrowActivities(deps);
  const tradeDeps: FeatureDeps = { ...deps, cardEscrow: deps.cardEscrow ?? (deps.escrow ? escrow : null) };
  return {
    ...createLedgerActivities(deps),
    ...discord,
    ...createShopActivities(deps),
    ...createSyncActivities(deps),
    ...createAnnouncementActivities(deps),
    ...createTaskActivities(deps),
    ...createVerifyActivities(deps),
    ...createPaymentActivities(deps),
    ...createOrderActivities(deps),
    ...createTradeActivities(deps),
    ...createPadActivities(deps),
    ...createTicketActivities(deps),
    ...escrow,
    ...createCardTradeActivities(tradeDeps),
    ...createCardAlertActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
