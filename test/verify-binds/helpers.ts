import { memberRoles } from '../../workflows/verify-roles';
import type { MemberRolesInput, MemberRolesResult } from '../../lib/flows/verify-roles';
import { newMember, type VerifyEnv } from '../verify/helpers';

/** A member of the fake guild linked to a new fake Roblox account (the row verification would have saved). */
export async function linkedMember(env: VerifyEnv, name: string, opts: { roles?: string[]; nick?: string } = {}): Promise<{ userId: string; robloxId: number }> {
  const userId = newMember(env, name.toLowerCase(), opts);
  const rbx = env.roblox.addUser({ name });
  await env.prisma.robloxLink.create({
    data: { guildId: env.guildId, userId, robloxId: BigInt(rbx.id), robloxName: rbx.name, robloxDisplayName: rbx.displayName, method: 'admin', linkedBy: 'test', verifiedAt: new Date(), workflowId: `verify:${env.guildId}:${userId}`, runId: `run-${userId}` },
  });
  return { userId, robloxId: rbx.id };
}

/** Runs `memberRoles` straight through the Temporal client (no bot) and returns its id and result. */
export async function runMemberRolesFlow(env: VerifyEnv, input: MemberRolesInput, key: string): Promise<{ workflowId: string; result: MemberRolesResult }> {
  const handle = await env.temporal.client.workflow.start(memberRoles, {
    taskQueue: env.taskQueue,
    workflowId: `member-roles:${input.guildId}:${input.userId}:${input.trigger}-${key}`,
    args: [input],
  });
  return { workflowId: handle.workflowId, result: await handle.result() };
}

/** A new role of the fake guild bound to ranks min..max of a Roblox group. */
export async function boundRole(env: VerifyEnv, name: string, groupId: number, minRank: number, maxRank: number): Promise<string> {
  const role = env.discord.createRole(env.guildId, { name });
  await env.prisma.robloxGroupBind.create({ data: { guildId: env.guildId, groupId: BigInt(groupId), roleId: role.id, minRank, maxRank } });
  return role.id;
}
