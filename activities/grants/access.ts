import type { GuildDirectory } from '../../lib/discord/guild-directory';
import { currentMemberFacts, guildMemberLevel, type MemberFacts } from '../../lib/guild-levels';
import { mayAct, type Holding, type Need } from '../../lib/grants';
import type { PermissionLevel } from '../../lib/permissions';
import type { PrismaClient } from '../../prisma/client';
import { holdsGrant } from './grants';

export interface AccessCheck extends Holding {
  allowed: boolean;
}

/**
 * The one answer to "may this member do it": their level suffices, or they hold (directly or through one
 * of their roles) the grant the action names. Grants are read on every call, so a removed grant stops
 * working at the next click or request. `grants` is the needed grant when it is what let them through.
 */
export async function memberAccess(prisma: PrismaClient, guildId: string, member: MemberFacts, need: Need): Promise<AccessCheck> {
  return accessAt(prisma, guildId, member, await guildMemberLevel(prisma, guildId, member), need);
}

/** memberAccess for a member acting at a known level (a person's API token acts at the level it was minted at). */
export async function accessAt(prisma: PrismaClient, guildId: string, member: Pick<MemberFacts, 'userId' | 'roleIds'>, level: PermissionLevel, need: Need): Promise<AccessCheck> {
  const holding: Holding = { level, grants: [] };
  if (!mayAct(holding, need) && need.grant && (await holdsGrant(prisma, guildId, member.userId, member.roleIds, need.grant))) {
    holding.grants = [need.grant];
  }
  return { ...holding, allowed: mayAct(holding, need) };
}

/** memberAccess for a person as Discord says they are now (null when they are not a member). */
export async function currentMemberAccess(prisma: PrismaClient, directory: GuildDirectory, guildId: string, userId: string, need: Need): Promise<AccessCheck | null> {
  const member = await currentMemberFacts(directory, guildId, userId);
  return member && memberAccess(prisma, guildId, member, need);
}
