/** `npm run worker`: the Temporal worker alone, for production (scale it horizontally). */
import { requireSettings } from '../lib/config';
import { runProcess } from '../lib/process';
import { createPrismaClient } from '../prisma/client';
import { startWorker } from './run';
import { installTemporalRuntime } from './runtime';

runProcess('guildflow-worker', async ({ config: raw, log, started }) => {
  const config = requireSettings(raw, ['DATABASE_URL', 'TEMPORAL_ADDRESS'], 'the worker');
  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE, log });
  started.push({ name: 'database pool', stop: () => prisma.$disconnect() });
  installTemporalRuntime({ log, metricsAddress: config.TEMPORAL_METRICS_ADDRESS });
  const worker = await startWorker({ config, temporalAddress: config.TEMPORAL_ADDRESS, prisma, log });
  started.push({ name: 'worker', stop: worker.stop });
  worker.done.catch((err: unknown) => {
    log.fatal({ err }, 'worker stopped unexpectedly');
    process.kill(process.pid, 'SIGTERM');
  });
  log.info(`worker metrics at http://${config.TEMPORAL_METRICS_ADDRESS}/metrics`);
});
