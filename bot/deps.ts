import type { Client } from '@temporalio/client';
import type { Logger } from '../lib/logger';
import type { CodeKeyring } from '../lib/crypto/codes';
import type { TopupSettings } from '../lib/payments';
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
}
