/** `npm run api`: the HTTP API alone, for production (stateless; run as many as needed). */
import { requireSettings } from '../lib/config';
import { createGuildDirectory } from '../lib/discord/guild-directory';
import { closeDiscordRest, createDiscordRest } from '../lib/discord/rest';
import { runProcess } from '../lib/process';
import { connectTemporalClient } from '../lib/temporal';
import { createPrismaClient } from '../prisma/client';
import { startApiServer } from './server';

runProcess('guildflow-api', async ({ config: raw, log, started }) => {
  const config = requireSettings(raw, ['DATABASE_URL', 'TEMPORAL_ADDRESS'], 'the API');
  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE });
  started.push({ name: 'database pool', stop: () => prisma.$disconnect() });
  const temporal = await connectTemporalClient({ ...config, address: config.TEMPORAL_ADDRESS });
  started.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
  const discord = createDiscordRest(config);
  started.push({ name: 'Discord REST client', stop: async () => closeDiscordRest(discord) });
  const guildDirectory = discord ? createGuildDirectory(discord) : undefined;
  const api = await startApiServer({ config, prisma, temporal: temporal.connection, log, databaseUrl: config.DATABASE_URL, guildDirectory });
  started.push({ name: 'API', stop: api.stop });
});
