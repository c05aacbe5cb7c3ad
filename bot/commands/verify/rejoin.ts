import { findLink } from '../../../activities/verify';
import { disabledFeatures } from '../../../lib/feature-switches';
import { startMemberRoles } from '../../../lib/flows/verify-roles.client';
import type { BotDeps } from '../../deps';

/**
 * A member joined: if they have a Roblox link in this server, `member-roles:{guild}:{user}:join-{joinedAt}`
 * gives back the verified role, the nickname and the bind roles. The id comes from the join, so a
 * duplicated gateway event finds the flow the first one started. A member without a link, or a server with
 * verification switched off: nothing.
 */
export async function restoreOnJoin(deps: Pick<BotDeps, 'prisma' | 'temporal' | 'taskQueue' | 'log'>, join: { guildId: string; userId: string; joinedAtMs: number }): Promise<{ workflowId: string; started: boolean } | null> {
  const link = await findLink(deps.prisma, join.guildId, join.userId);
  if (!link || (await disabledFeatures(deps.prisma, join.guildId)).has('verification')) return null;
  const { workflowId, started } = await startMemberRoles(deps, {
    guildId: join.guildId,
    userId: join.userId,
    trigger: 'join',
    actorId: null,
    key: String(join.joinedAtMs),
    summary: `Verified member ${join.userId} (Roblox ${link.robloxName}) rejoined`,
  });
  deps.log.info({ guildId: join.guildId, userId: join.userId, workflowId, started }, 'linked member joined');
  return { workflowId, started };
}
