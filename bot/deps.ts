import type { Client } from '@temporalio/client';
import type { Logger } from '../lib/logger';
import type { Config } from '../lib/config';
import { keyringFromConfig, type CodeKeyring } from '../lib/crypto';
import { mailFromConfig, type MailDeps } from '../lib/mail';
import { topupSettingsFromConfig, type TopupSettings } from '../lib/payments';
import { createScryfallClient, type ScryfallClient } from '../lib/scryfall/client';
import type { PrismaClient } from '../prisma/client';

/** What handlers may use: one database client and one Temporal client per process. */
export interface BotDeps {
  prisma: PrismaClient;
  temporal: Client;
  /** Where workflows the bot starts are run. */
  taskQueue: string;
  log: Logger;
  /** Top-up limits and durations; null/absent when payments are off (/topup then says so). */
  topup?: TopupSettings | null;
  /** The code stock's keys; null/absent when the code shop is off (/stock add then says so). */
  codes?: CodeKeyring | null;
  /** Scryfall, behind the card catalog (/cards); null/absent: card look-ups say the catalog is off. */
  scryfall?: ScryfallClient | null;
  /** How long want alerts are collected before their one DM (CARD_ALERT_COLLECT_SECONDS; default 60). */
  cardAlertCollectSeconds?: number;
  /** Email (card trade address confirmations); null/absent when off (/cards email set then says so). */
  mail?: MailDeps | null;
}

/**
 * The bot's optional features from the settings. Every entry point that runs the bot (`npm run bot`,
 * `npm start`) builds them here, so none runs with fewer features than the others.
 */
export function botFeaturesFromConfig(config: Config, log: Logger): Pick<BotDeps, 'topup' | 'codes' | 'scryfall' | 'cardAlertCollectSeconds' | 'mail'> {
  return {
    topup: topupSettingsFromConfig(config),
    codes: keyringFromConfig(config),
    scryfall: createScryfallClient({ baseUrl: config.SCRYFALL_API_URL }),
    cardAlertCollectSeconds: config.CARD_ALERT_COLLECT_SECONDS,
    mail: mailFromConfig(config, log),
  };
}
