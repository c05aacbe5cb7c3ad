import { signalWithStartFlow, type FlowTarget } from './client';
import { DEFAULT_SYNC_SETTINGS, syncChangedSignal, syncDeletedSignal, syncFlow, type SyncSettings } from './sync';

/** The entity whose message a sync flow keeps. */
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
export async function signalSync(target: FlowTarget, entity: SyncTarget, opts: { deleted?: boolean; settings?: SyncSettings } = {}): Promise<{ workflowId: string }> {
  return signalWithStartFlow(target, syncFlow, [entity.entityType, entity.entityId], {
    guildId: entity.guildId,
    summary: `Message of ${entity.entityType.replace(/_/g, ' ')} ${entity.entityId}`,
    input: { entityType: entity.entityType, entityId: entity.entityId, guildId: entity.guildId, settings: opts.settings ?? DEFAULT_SYNC_SETTINGS },
    signal: opts.deleted ? syncDeletedSignal : syncChangedSignal,
    signalArgs: [],
  });
}
