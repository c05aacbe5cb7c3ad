import type { REST } from '@discordjs/rest';
import type { CodeKeyring } from '../lib/crypto/codes';
import type { CardEscrowActivities } from '../lib/flows/card-trades';
import type { GuildDirectory } from '../lib/discord/guild-directory';
import type { Logger } from '../lib/logger';
import type { MailDeps } from '../lib/mail';
import type { EscrowDeps } from '../lib/payments';
import type { PaymentsDeps } from '../lib/payments/provider';
import type { RobloxClient } from '../lib/roblox/client';
import type { PrismaClient } from '../prisma/client';
import type { DiscordActivities } from './discord/activities';

export interface ActivityDeps {
  prisma: PrismaClient;
  log: Logger;
  /** Discord REST client (lib/discord/rest.ts); null without DISCORD_TOKEN: Discord activities then fail saying so. */
  discord?: REST | null;
  /**
   * Which channels and roles belong to a guild, checked again before anything is posted or pinged
   * (default: built on `discord`, shared by all activities of the process).
   */
  guildDirectory?: GuildDirectory | null;
  /** Roblox web API client (lib/roblox/client.ts); null/absent: Roblox activities fail saying so. */
  roblox?: RobloxClient | null;
  /** The payment gateway; null/absent when payments are off (payment activities then fail saying so). */
  payments?: PaymentsDeps | null;
  /** Card trade escrow (Stripe Connect); null/absent when it is off (escrow activities then refuse saying so). */
  escrow?: EscrowDeps | null;
  /** Email for card trade notifications; null/absent when off (notifications then go by DM only). */
  mail?: MailDeps | null;
  /** The code stock's keys; null/absent when the code shop is off (order delivery then fails saying so). */
  codes?: CodeKeyring | null;
  /**
   * The escrow of card trades' cash (the card escrow feature's activities); null/absent: a trade with cash
   * is refused when proposed ("cash trades are not available yet") and trades without cash work as usual.
   */
  cardEscrow?: CardEscrowActivities | null;
}

/** What each feature's activities are built from: the process's dependencies and the Discord activities, built once. */
export interface FeatureDeps extends ActivityDeps {
  discordActivities: DiscordActivities;
}
