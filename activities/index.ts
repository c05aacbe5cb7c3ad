import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../prisma/client';
import { createLedgerActivities } from './ledger/activities';

export interface ActivityDeps {
  prisma: PrismaClient;
  log: Logger;
}

/**
 * All activities, built from their dependencies (tests pass their own). Each feature adds its group here:
 * `...createLedgerActivities(deps)`, and workflows import the type only.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createLedgerActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
