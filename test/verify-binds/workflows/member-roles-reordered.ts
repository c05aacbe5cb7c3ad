import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import { DiscordUserId, FlowKind, GuildId } from '../../../lib/search-attributes';
import type { MemberRolesInput } from '../../../lib/flows/verify-roles';

/**
 * Test only — an INCOMPATIBLE change of workflows/verify-roles.ts, as someone might make it without
 * patched(): it tells the admins before applying the roles. Replaying a recorded history with it must fail
 * with a DeterminismViolationError (replay.test.ts).
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function memberRoles(input: MemberRolesInput): Promise<void> {
  upsertSearchAttributes([
    { key: GuildId, value: input.guildId },
    { key: DiscordUserId, value: input.userId },
    { key: FlowKind, value: 'member-roles' },
  ]);
  await acts.verifyNotifyAdmins({ guildId: input.guildId, title: 'early', detail: 'early', flowId: 'x', outcome: 'info' });
  await acts.verifyApplyMemberRoles({ guildId: input.guildId, userId: input.userId, reason: 'reordered', bindsOnly: false });
}
