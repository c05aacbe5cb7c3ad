import { RefusalError } from '../../lib/errors';
import { SYNC_FAILURES } from '../../lib/flows/sync';

/** Message sync refusals; `failureType` is from SYNC_FAILURES (lib/flows/sync.ts). */
class SyncError extends RefusalError {}

export const unknownEntityType = (entityType: string) =>
  new SyncError('unknown_entity_type', SYNC_FAILURES.unknownEntityType, `No renderer is registered for entity type ${entityType}.`, 400);
