import { ActivityFailure, allHandlersFinished, ApplicationFailure, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  SYNC_REFUSALS,
  syncChangedSignal,
  syncDeletedSignal,
  syncFlow,
  syncStatusQuery,
  type SyncApplyResult,
  type SyncInput,
  type SyncMode,
  type SyncStatus,
} from '../lib/flows/sync';
import { failureOf, showDetails, tagFlow } from './common';

/**
 * Message sync, workflow id `sync:{entityType}:{entityId}`: one long-lived flow per entity
 * that owns the entity's one Discord message (activities/sync has the renderer registry and how to add
 * an entity type).
 *
 *   wait for a change (signal `changed`) → wait `coalesceMs` more (a burst becomes one render) → render
 *   the current state and post / edit / re-post (syncApply) → repeat
 *
 * - Someone deleted the message → the next edit (or the periodic check every `verifyEveryMs`) posts it
 *   again and stores the new id.
 * - Channel gone or no permission → `orphaned`, the admin log is told once; the next change tries again.
 * - Discord failing → `pending` (in sync_messages, so the API shows it) and retried with backoff
 *   (`retryInitialMs` doubling up to `retryMaxMs`), for as long as it takes; changes meanwhile are
 *   coalesced into the retry.
 * - Entity gone (the renderer finds nothing) or signal `deleted` → the message is deleted, the flow ends.
 * - After `roundsBeforeContinue` renders (or when Temporal suggests it) the flow continues as new,
 *   carrying its state: a history stays a few hundred events however long the entity lives.
 * Every duration comes from the input (production defaults: DEFAULT_SYNC_SETTINGS in lib/flows/sync.ts).
 */

/** Continue as new past this many events (Temporal warns at 10,240 and stops a run at 51,200). */
const MAX_HISTORY_EVENTS = 2_000;

export async function sync(input: SyncInput): Promise<SyncStatus> {
  const { entityType, entityId, settings } = input;
  tagFlow(syncFlow.kind, input.guildId);
  const status: SyncStatus = input.carried
    ? { ...input.carried.status, runRounds: 0, runs: input.carried.status.runs + 1 }
    : { entityType, entityId, state: 'creating', messageId: null, channelId: null, changes: 0, renders: 0, creates: 0, edits: 0, lastError: null, runRounds: 0, runs: 1 };
  let dirty = input.carried ? input.carried.dirty : true;
  let deleting = false;
  setHandler(syncChangedSignal, () => {
    dirty = true;
    status.changes += 1;
  });
  setHandler(syncDeletedSignal, () => {
    deleting = true;
  });
  setHandler(syncStatusQuery, () => ({ ...status }));
  const show = () =>
    showDetails(
      `${status.state} · ${entityType} ${entityId}`,
      `message ${status.messageId ?? '—'} in ${status.channelId ? `<#${status.channelId}>` : '—'}`,
      `${status.changes} changes → ${status.creates} posts, ${status.edits} edits`,
      status.lastError,
    );
  show();

  // One attempt per call: the loop below owns retries, so a delete or new changes can cut a backoff short.
  const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1, nonRetryableErrorTypes: [...SYNC_REFUSALS] } });
  const mustHappen = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: settings.retryInitialMs, backoffCoefficient: 2, maximumInterval: settings.retryMaxMs, nonRetryableErrorTypes: [...SYNC_REFUSALS] },
  });

  const finish = async (): Promise<SyncStatus> => {
    await mustHappen.syncDelete({ entityType, entityId });
    status.state = 'deleted';
    status.messageId = null;
    show();
    return { ...status };
  };

  /** Renders until it works (or the entity is being deleted: then null). */
  const apply = async (mode: SyncMode): Promise<SyncApplyResult | null> => {
    let delay = settings.retryInitialMs;
    for (;;) {
      try {
        return await acts.syncApply({ entityType, entityId, mode });
      } catch (err) {
        const cause = err instanceof ActivityFailure ? err.cause : err;
        if (cause instanceof ApplicationFailure && cause.nonRetryable) throw err;
        status.state = 'pending';
        status.lastError = failureOf(err).message;
        show();
        if (await condition(() => deleting, delay)) return null;
        delay = Math.min(delay * 2, settings.retryMaxMs);
      }
    }
  };

  for (;;) {
    const woken = () => dirty || deleting;
    const changed = settings.verifyEveryMs === null ? (await condition(woken), true) : await condition(woken, settings.verifyEveryMs);
    if (deleting) return finish();
    if (changed) {
      // Let the burst finish: everything signalled in this window is one render.
      if (await condition(() => deleting, settings.coalesceMs)) return finish();
    }
    dirty = false;
    const wasOrphaned = status.state === 'orphaned';
    const result = await apply(changed ? 'render' : 'verify');
    if (!result) return finish();
    if (result.outcome === 'gone') return finish();
    status.renders += 1;
    status.runRounds += 1;
    status.messageId = result.messageId;
    status.channelId = result.channelId;
    if (result.outcome === 'created' || result.outcome === 'recreated' || result.outcome === 'moved') status.creates += 1;
    if (result.outcome === 'edited') status.edits += 1;
    if (result.outcome === 'orphaned') {
      status.state = 'orphaned';
      status.lastError = result.reason ?? null;
      if (!wasOrphaned) await mustHappen.syncNotifyOrphaned({ entityType, entityId, reason: result.reason ?? 'unknown reason' });
    } else {
      status.state = 'synced';
      status.lastError = result.pinError ?? null;
    }
    show();

    // Signals count too (a burst is many events for one render): keep each run far below Temporal's limits.
    const info = workflowInfo();
    if (status.runRounds >= settings.roundsBeforeContinue || info.historyLength > MAX_HISTORY_EVENTS || info.continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (deleting) return finish();
      await continueAsNew<typeof sync>({ ...input, carried: { status: { ...status }, dirty } });
    }
  }
}
