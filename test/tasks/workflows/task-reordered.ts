import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import { DiscordUserId, FlowKind, GuildId } from '../../../lib/search-attributes';
import type { TaskClaimInput } from '../../../lib/flows/tasks';

/**
 * Test only — an INCOMPATIBLE change of workflows/task.ts, as someone might make it without patched():
 * it updates the task's post before taking the slot. Replaying a recorded history with it must fail with
 * a DeterminismViolationError (replay.test.ts).
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function taskClaim(input: TaskClaimInput): Promise<void> {
  upsertSearchAttributes([
    { key: GuildId, value: input.guildId },
    { key: DiscordUserId, value: input.userId },
    { key: FlowKind, value: 'task' },
  ]);
  await acts.taskSyncMessage({ taskId: input.taskId });
  await acts.taskClaim({ claimId: `task:${input.taskId}:${input.userId}`, guildId: input.guildId, taskId: input.taskId, userId: input.userId });
}
