import { requireSettings, type Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { Stoppable } from '../lib/process';
import { connectTemporalClient } from '../lib/temporal';
import { createPrismaClient } from '../prisma/client';
import { botFeaturesFromConfig } from './deps';
import { startBot } from './run';

/**
 * A bot process's parts: its database pool, its Temporal client and the gateway client, each pushed onto
 * `started` as it comes up. `npm run bot` runs this for the whole bot, each shard process for its shard.
 */
export async function startBotProcess({ config: raw, log, started }: { config: Config; log: Logger; started: Stoppable[] }): Promise<void> {
  const config = requireSettings(raw, ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'DISCORD_TOKEN'], 'the bot');
  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE, log });
  started.push({ name: 'database pool', stop: () => prisma.$disconnect() });
  const temporal = await connectTemporalClient({ ...config, address: config.TEMPORAL_ADDRESS });
  started.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
  const bot = await startBot(config, { prisma, temporal: temporal.client, taskQueue: config.TEMPORAL_TASK_QUEUE, log, ...botFeaturesFromConfig(config, log) });
  started.push({ name: 'bot', stop: bot.stop });
}
