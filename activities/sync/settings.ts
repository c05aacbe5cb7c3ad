import type { SyncSettings } from '../../workflows/sync';

/**
 * Production timings of the message sync (workflows/sync.ts takes them as input, so tests pass
 * milliseconds): a burst of changes within a second is one edit; Discord outages are retried from 2 s
 * up to every 5 minutes; a message deleted by someone without a later change is noticed within an hour;
 * a run continues as new after 100 renders (~700 history events at most).
 */
export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  coalesceMs: 1_000,
  retryInitialMs: 2_000,
  retryMaxMs: 300_000,
  verifyEveryMs: 3_600_000,
  roundsBeforeContinue: 100,
};
