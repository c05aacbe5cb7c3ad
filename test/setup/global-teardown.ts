import { stopSharedDatabase } from './database';
import { stopSharedTemporal } from './temporal';

export default async function globalTeardown(): Promise<void> {
  await Promise.all([stopSharedTemporal(), stopSharedDatabase()]);
}
