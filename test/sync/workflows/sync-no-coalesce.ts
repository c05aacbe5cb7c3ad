// A plausible "optimisation" of workflows/sync.ts that is NOT compatible with running flows: it renders at
// once instead of waiting out the coalescing window (no timer). Replaying a recorded history with it must
// fail with a DeterminismViolationError (test/sync/replay.test.ts).
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { SyncInput } from '../../../lib/flows/sync';

const changed = defineSignal('changed');
const deleted = defineSignal('deleted');
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 1 } });

export async function sync(input: SyncInput): Promise<void> {
  let dirty = true;
  let deleting = false;
  setHandler(changed, () => void (dirty = true));
  setHandler(deleted, () => void (deleting = true));
  for (;;) {
    await condition(() => dirty || deleting);
    if (deleting) break;
    dirty = false;
    const r = await acts.syncApply({ entityType: input.entityType, entityId: input.entityId, mode: 'render' });
    if (r.outcome === 'gone') break;
  }
  await acts.syncDelete({ entityType: input.entityType, entityId: input.entityId });
}
