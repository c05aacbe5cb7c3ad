import { stopSharedTemporal } from './temporal';

export default async function globalTeardown(): Promise<void> {
  await stopSharedTemporal();
}
