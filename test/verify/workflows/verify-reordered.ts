import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import { DiscordUserId, FlowKind, GuildId } from '../../../lib/search-attributes';
import type { VerifyInput } from '../../../lib/flows/verify';

/**
 * Test only — an INCOMPATIBLE change of workflows/verify.ts, as someone might make it without patched():
 * it resolves the username before reading the guild's settings. Replaying a recorded history with it must
 * fail with a DeterminismViolationError (replay.test.ts).
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function verify(input: VerifyInput): Promise<void> {
  upsertSearchAttributes([
    { key: GuildId, value: input.guildId },
    { key: DiscordUserId, value: input.userId },
    { key: FlowKind, value: 'verify' },
  ]);
  await acts.robloxLookup({ username: input.username });
  await acts.verifyLoadSettings({ guildId: input.guildId });
}
