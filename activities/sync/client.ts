import type { Client } from '@temporalio/client';
import { syncChangedSignal, syncDeletedSignal, type SyncSettings } from '../../workflows/sync';
import { syncFlowId } from './registry';
import { DEFAULT_SYNC_SETTINGS } from './settings';

export interface SyncTarget {
  entityType: string;
  entityId: string;
  guildId: string;
}

/**
 * Tells the entity's sync flow that it changed (or was removed, `deleted: true`), starting the flow if
 * it is not running: signal-with-start, so the first change creates the message and a duplicate call
 * only costs one more (coalesced) signal. Call it after the change has committed.
 */
export async function signalSync(
  client: Client,
  taskQueue: string,
  target: SyncTarget,
  opts: { deleted?: boolean; settings?: SyncSettings } = {},
): Promise<{ workflowId: string }> {
  const workflowId = syncFlowId(target.entityType, target.entityId);
  await client.workflow.signalWithStart('sync', {
    workflowId,
    taskQueue,
    args: [{ entityType: target.entityType, entityId: target.entityId, guildId: target.guildId, settings: opts.settings ?? DEFAULT_SYNC_SETTINGS }],
    signal: opts.deleted ? syncDeletedSignal : syncChangedSignal,
    signalArgs: [],
  });
  return { workflowId };
}
