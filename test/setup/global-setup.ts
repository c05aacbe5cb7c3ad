import { createLogger } from '../../lib/logger';
import { startSharedTemporal } from './temporal';

/** Runs once before all test files, in jest's main process (no timeout applies here). */
export default async function globalSetup(): Promise<void> {
  const log = createLogger({ name: 'test-setup', level: process.env.LOG_LEVEL ?? 'info' });
  await startSharedTemporal(log);
}
