/** `npm run api`: the HTTP API alone, for production (stateless; run as many as needed). */
import { requireSettings } from '../lib/config';
import { runProcess } from '../lib/process';
import { connectTemporalClient } from '../lib/temporal';
import { createPrismaClient } from '../prisma/client';
import { startApiServer } from './server';

runProcess('guildflow-api', async ({ config: raw, log, started }) => {
  const config = requireSettings(raw, ['DATABASE_URL', 'TEMPORAL_ADDRESS'], 'the API');
  // Every API process must sign and check the dashboard's sessions with the same key.
  if (config.DISCORD_CLIENT_ID) requireSettings(config, ['DASHBOARD_SESSION_SECRET'], 'the dashboard login in `npm run api` (one value for every API process)');
  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE, log });
  started.push({ name: 'database pool', stop: () => prisma.$disconnect() });
  const temporal = await connectTemporalClient({ ...config, address: config.TEMPORAL_ADDRESS });
  started.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
  const api = await startApiServer({ config, prisma, temporal: temporal.connection, log, databaseUrl: config.DATABASE_URL });
  started.push({ name: 'API', stop: api.stop });
});
