import { defineQuery, defineSignal } from '@temporalio/workflow';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow } from './flow';

/**
 * The message sync's public face: one long-lived flow per entity, `sync:{entityType}:{entityId}`, that
 * owns the entity's one Discord message (workflows/sync.ts; renderers in activities/sync/registry.ts).
 */

export interface SyncSettings {
  /** Quiet time after a change before rendering: changes within it are one render. */
  coalesceMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Check that the message still exists this often when nothing changes (null: only on changes). */
  verifyEveryMs: number | null;
  /** Renders per run before continue-as-new. */
  roundsBeforeContinue: number;
}

/**
 * Production timings (tests pass milliseconds): a burst of changes within a second is one edit; Discord
 * outages are retried from 2 s up to every 5 minutes; a message deleted by someone without a later change
 * is noticed within an hour; a run continues as new after 100 renders (~700 history events at most).
 */
export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  coalesceMs: 1_000,
  retryInitialMs: 2_000,
  retryMaxMs: 300_000,
  verifyEveryMs: 3_600_000,
  roundsBeforeContinue: 100,
};

export type SyncStateName = 'creating' | 'synced' | 'pending' | 'orphaned' | 'deleted';

export interface SyncStatus {
  entityType: string;
  entityId: string;
  state: SyncStateName;
  messageId: string | null;
  channelId: string | null;
  /** Change signals received (over all runs). */
  changes: number;
  /** Renders (syncApply calls that succeeded) and what Discord was asked to do. */
  renders: number;
  creates: number;
  edits: number;
  lastError: string | null;
  /** This run's renders (continue-as-new after settings.roundsBeforeContinue). */
  runRounds: number;
  runs: number;
}

export interface SyncInput {
  entityType: string;
  entityId: string;
  guildId: string;
  settings: SyncSettings;
  /** Set by continue-as-new. */
  carried?: { status: SyncStatus; dirty: boolean };
}

/** What `syncApply` is asked to do: render after a change, or only check that the message still exists. */
export type SyncMode = 'render' | 'verify';

export type SyncOutcome = 'created' | 'edited' | 'recreated' | 'moved' | 'unchanged' | 'verified' | 'orphaned' | 'gone';

export interface SyncApplyResult {
  outcome: SyncOutcome;
  messageId: string | null;
  channelId: string | null;
  /** Why the message is orphaned (for the admin log). */
  reason?: string;
  /** The pin was asked for and failed (the message is posted). */
  pinError?: string;
}

export const syncChangedSignal = defineSignal('changed');
export const syncDeletedSignal = defineSignal('deleted');
export const syncStatusQuery = defineQuery<SyncStatus>('status');

export const syncFlowId = (entityType: string, entityId: string): string => `sync:${entityType}:${entityId}`;

export const syncFlow = defineFlow({ type: 'sync', kind: 'sync', id: syncFlowId });

/** The sync's own refusals (activities/sync/errors.ts raises them). */
export const SYNC_FAILURES = {
  unknownEntityType: 'UnknownEntityType',
} as const;

/**
 * The one list of the sync flow's non-retryable failure types. Discord's refusals are listed because the
 * flow calls Discord; syncApply turns most of them into an `orphaned` outcome rather than a failure.
 */
export const SYNC_REFUSALS: readonly string[] = [...Object.values(SYNC_FAILURES), ...DISCORD_REFUSALS];
