import { flowResult, startFlow, type FlowTarget } from './client';
import { memberRolesFlow, type MemberRolesInput, type MemberRolesResult } from './verify-roles';

/**
 * How the bot and the verification activities start `member-roles:{guild}:{user}:{key}`. The key comes
 * from the event (the join time, the interaction id, the verification run): a second start with the same
 * key finds the first flow instead of starting another.
 */
export async function startMemberRoles(target: FlowTarget, input: MemberRolesInput & { key: string; summary: string }): Promise<{ workflowId: string; started: boolean }> {
  const { key, summary, ...args } = input;
  const { workflowId, started } = await startFlow(target, memberRolesFlow, [input.guildId, input.userId, `${input.trigger}-${key}`], {
    guildId: input.guildId,
    userId: input.userId,
    summary,
    input: args,
    reuse: 'reject',
  });
  return { workflowId, started };
}

/** /update: runs the flow (a few Discord calls and one Roblox read) to its end and returns what it changed. */
export async function runMemberRoles(target: FlowTarget, input: MemberRolesInput & { key: string; summary: string }): Promise<MemberRolesResult> {
  const { workflowId } = await startMemberRoles(target, input);
  return flowResult<MemberRolesResult>(target.temporal, workflowId);
}
