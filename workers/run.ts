import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { REST } from '@discordjs/rest';
import { closeDiscordRest, createDiscordRest } from '../lib/discord/rest';
import type { Config } from '../lib/config';
import { createRobloxClient } from '../lib/roblox/client';
import { keyringFromConfig } from '../lib/crypto';
import { mailFromConfig } from '../lib/mail';
import { ESCROW_OFF_MESSAGE, escrowFromConfig, paymentsFromConfig } from '../lib/payments';
import type { Logger } from '../lib/logger';
import { temporalConnectionOptions } from '../lib/temporal';
import type { PrismaClient } from '../prisma/client';
import { createGuildflowWorker } from './worker';

export interface RunningWorker {
  /** Stops polling, lets running activities finish, then closes the connection. */
  stop(): Promise<void>;
  /** Settles when the worker stops for any reason (a fatal error rejects). */
  done: Promise<void>;
}

export async function startWorker(opts: {
  config: Config;
  temporalAddress: string;
  prisma: PrismaClient;
  log: Logger;
  /** Discord REST client for activities (default: built from DISCORD_TOKEN / DISCORD_API_URL; null without a token). */
  discord?: REST | null;
  overrides?: Partial<WorkerOptions>;
}): Promise<RunningWorker> {
  const log = opts.log.child({ component: 'worker' });
  const connection = await NativeConnection.connect(temporalConnectionOptions({ ...opts.config, address: opts.temporalAddress }));
  const discord = opts.discord === undefined ? createDiscordRest(opts.config) : opts.discord;
  if (!discord) log.info('DISCORD_TOKEN is not set: activities that talk to Discord (roles, messages) will fail saying so.');
  const payments = paymentsFromConfig(opts.config);
  const codes = keyringFromConfig(opts.config);
  const escrow = escrowFromConfig(opts.config);
  if (!escrow) log.info(ESCROW_OFF_MESSAGE);
  const mail = mailFromConfig(opts.config, log);
  const worker = await createGuildflowWorker(connection, opts.config, { prisma: opts.prisma, log, discord, payments, escrow, mail, codes, roblox: createRobloxClient({ usersApiUrl: opts.config.ROBLOX_USERS_API_URL, groupsApiUrl: opts.config.ROBLOX_GROUPS_API_URL }) }, opts.overrides);
  const done = worker.run().finally(async () => {
    if (opts.discord === undefined) closeDiscordRest(discord);
    mail?.mailer.close();
    await connection.close();
  });
  const features = { payments: !!payments, codeShop: !!codes, cardEscrow: !!escrow, mail: mail?.mailer.kind ?? 'off' };
  log.info({ taskQueue: opts.config.TEMPORAL_TASK_QUEUE, namespace: opts.config.TEMPORAL_NAMESPACE, features }, 'worker polling');
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
