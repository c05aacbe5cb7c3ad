import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { VERIFY_REFUSALS } from '../lib/flows/verify';
import type { MemberRolesInput, MemberRolesResult } from '../lib/flows/verify-roles';
import { activityProfiles } from './activity-options';
import { failureOf, showDetails, tagFlow, tell } from './common';

/**
 * `member-roles:{guild}:{user}:{trigger}-{key}` (lib/flows/verify-roles.ts): a linked member's verified
 * role, nickname and group-rank bind roles, applied again when they rejoin, on /update, and (bind roles
 * only) after a verification. Waits for nothing. One idempotent activity does it all, reading Discord and
 * Roblox before changing anything, so a failure (Roblox or Discord away past the retries) changes nothing
 * and needs no compensation: `failed` with the reason; the admins are told unless a member asked (/update
 * answers them).
 */

const profiles = activityProfiles(VERIFY_REFUSALS);
const discord = proxyActivities<Activities>(profiles.discord);

const REASONS = { join: 'Guildflow: verified member rejoined', update: 'Guildflow: /update', verified: 'Guildflow verification' } as const;

export async function memberRoles(input: MemberRolesInput): Promise<MemberRolesResult> {
  tagFlow('member-roles', input.guildId, input.userId);
  showDetails('applying', `<@${input.userId}> (${input.trigger})`);
  let result: MemberRolesResult;
  try {
    result = await discord.verifyApplyMemberRoles({ guildId: input.guildId, userId: input.userId, reason: REASONS[input.trigger], bindsOnly: input.trigger === 'verified' });
  } catch (err) {
    const { message } = failureOf(err);
    result = { status: 'failed', robloxName: null, added: [], removed: [], nickname: null, problems: [], reason: message };
  }
  showDetails(result.status, `<@${input.userId}> (${input.trigger})`, result.reason, ...result.problems);
  const trouble = result.status === 'failed' ? [result.reason ?? 'unknown failure'] : result.problems;
  if (input.trigger !== 'update' && trouble.length) {
    await tell('tell the admins', () =>
      discord.verifyNotifyAdmins({
        guildId: input.guildId,
        title: 'Verified roles not fully applied',
        detail: `Guildflow could not give <@${input.userId}> everything their Roblox link gives (${input.trigger}):\n${trouble.join('\n')}`,
        flowId: workflowInfo().workflowId,
        outcome: 'warning',
      }),
    );
  }
  return result;
}
