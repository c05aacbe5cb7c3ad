/** `npm run bot`: the Discord gateway client alone, for production. */
import { requireSettings } from '../lib/config';
import { runProcess } from '../lib/process';
import { connectTemporalClient } from '../lib/temporal';
import { createPrismaClient } from '../prisma/client';
import { botFeaturesFromConfig } from './deps';
import { startBot } from './run';

runProcess('guildflow-bot', async ({ config: raw, log, started }) => {
  const config = requireSettings(raw, ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'DISCORD_TOKEN'], 'the bot');
  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE, log });
  started.push({ name: 'database pool', stop: () => prisma.$disconnect() });
  const temporal = await connectTemporalClient({ ...config, address: config.TEMPORAL_ADDRESS });
  started.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
  const bot = await startBot(config, { prisma, temporal: temporal.client, taskQueue: config.TEMPORAL_TASK_QUEUE, log, ...botFeaturesFromConfig(config) });
  started.push({ name: 'bot', stop: bot.stop });
});
