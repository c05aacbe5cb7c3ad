import { defineFlow } from './flow';

/**
 * The `memberRoles` flow's public face: puts back what verification gives a linked member — the verified
 * role (the unverified one off), the nickname and the group-rank bind roles. Started when a linked member
 * rejoins, by /update, and after a verification succeeds. Pure: workflows import it.
 */

/** Why the roles are applied; also the first part of the flow id's key. */
export type MemberRolesTrigger = 'join' | 'update' | 'verified';

export interface MemberRolesInput {
  guildId: string;
  userId: string;
  trigger: MemberRolesTrigger;
  /** Who asked ('discord:{id}'), for /update; null for a join or a verification. */
  actorId: string | null;
}

export interface MemberRolesResult {
  /** `not_linked`: the member has no Roblox link (nothing changed); `failed`: see `reason` (nothing removed). */
  status: 'applied' | 'not_linked' | 'not_in_guild' | 'failed';
  robloxName: string | null;
  added: string[];
  removed: string[];
  /** The nickname given, when it changed. */
  nickname: string | null;
  /** What Discord refused (the rest was applied). */
  problems: string[];
  reason: string | null;
}

/**
 * `member-roles:{guild}:{user}:{key}`: the key comes from what started it (the join time, the interaction
 * id, the verification run), so a duplicated gateway event or a retried start finds the same flow.
 */
const memberRolesWorkflowId = (guildId: string, userId: string, key: string): string => `member-roles:${guildId}:${userId}:${key}`;
export const memberRolesFlow = defineFlow({ type: 'memberRoles', kind: 'member-roles', id: memberRolesWorkflowId });
