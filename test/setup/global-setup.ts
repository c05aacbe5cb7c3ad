import { createLogger } from '../../lib/logger';
import { startSharedDatabase, stopSharedDatabase } from './database';
import { startSharedTemporal } from './temporal';

/** Runs once before all test files, in jest's main process (no timeout applies here). */
export default async function globalSetup(): Promise<void> {
  const log = createLogger({ name: 'test-setup', level: process.env.LOG_LEVEL ?? 'info' });
  const [database, temporal] = await Promise.allSettled([startSharedDatabase(log), startSharedTemporal(log)]);
  if (database.status === 'rejected' || temporal.status === 'rejected') {
    // jest skips globalTeardown when the setup fails: stop what did start.
    await stopSharedDatabase();
    throw database.status === 'rejected' ? database.reason : (temporal as PromiseRejectedResult).reason;
  }
}
