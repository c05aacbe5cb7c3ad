import { ApplicationFailure } from '@temporalio/common';
import type { MemberRolesResult } from '../../lib/flows/verify-roles';
import type { RobloxGroupRole } from '../../lib/roblox/client';
import { renderNickname } from '../../lib/roblox/phrase';
import type { PrismaClient } from '../../prisma/client';
import type { DiscordActivities } from '../discord/activities';
import { bindRoles, listGroupBinds } from './binds';
import { getVerifySettings } from './service';

/**
 * What verification gives a linked member, applied again: the verified role on, the unverified role off,
 * the nickname from the template, and the bound roles their group ranks qualify for (bound roles they no
 * longer qualify for are taken; roles that are not bound are never touched). Everything is read first —
 * Roblox included — so an outage changes nothing. Idempotent: a retry finds the roles given and gives
 * nothing twice (its answer then lists only what it changed itself). `bindsOnly`: right after a verification,
 * whose own steps gave the verified role and the nickname.
 */
export async function applyMemberRoles(
  deps: { prisma: PrismaClient; discord: DiscordActivities; groupsOf: (robloxId: number) => Promise<RobloxGroupRole[]> },
  input: { guildId: string; userId: string; reason: string; bindsOnly?: boolean },
): Promise<MemberRolesResult> {
  const { prisma, discord } = deps;
  const who = { guildId: input.guildId, userId: input.userId };
  const result: MemberRolesResult = { status: 'applied', robloxName: null, added: [], removed: [], nickname: null, problems: [], reason: null };
  const link = await prisma.robloxLink.findUnique({ where: { guildId_userId: who } });
  if (!link) return { ...result, status: 'not_linked' };
  result.robloxName = link.robloxName;
  const member = await discord.discordGetMember(who);
  if (!member) return { ...result, status: 'not_in_guild' };
  const all = await getVerifySettings(prisma, input.guildId);
  const settings = input.bindsOnly ? { ...all, verifiedRoleId: null, unverifiedRoleId: null, nicknameTemplate: null } : all;
  const binds = await listGroupBinds(prisma, input.guildId);
  const groups = binds.length ? await deps.groupsOf(Number(link.robloxId)) : [];
  const { wanted, bound } = bindRoles(binds, new Map(groups.map((g) => [String(g.groupId), g.rank])));

  const has = new Set(member.roles);
  const toAdd = [...(settings.verifiedRoleId ? [settings.verifiedRoleId] : []), ...wanted].filter((r, i, all) => !has.has(r) && all.indexOf(r) === i);
  const toRemove = [...(settings.unverifiedRoleId ? [settings.unverifiedRoleId] : []), ...[...bound].filter((r) => !wanted.has(r))].filter(
    (r, i, list) => has.has(r) && r !== all.verifiedRoleId && list.indexOf(r) === i,
  );
  const reason = `${input.reason}: Roblox ${link.robloxName} (${link.robloxId})`;
  // A refusal (a role above Guildflow's, the server owner's nickname) is reported and the rest still applied;
  // an outage is thrown, for the activity to be retried.
  const attempt = async (run: () => Promise<unknown>): Promise<boolean> => {
    try {
      await run();
      return true;
    } catch (err) {
      if (err instanceof ApplicationFailure && err.nonRetryable) {
        result.problems.push(err.message);
        return false;
      }
      throw err;
    }
  };
  for (const roleId of toAdd) if (await attempt(() => discord.discordAddRole({ ...who, roleId, reason }))) result.added.push(roleId);
  for (const roleId of toRemove) {
    if (await attempt(async () => {
      const r = await discord.discordRemoveRole({ ...who, roleId, reason });
      if (!r.removed) throw ApplicationFailure.nonRetryable(r.why ?? `the role <@&${roleId}> could not be removed`);
    })) result.removed.push(roleId);
  }
  if (settings.nicknameTemplate) {
    const nick = renderNickname(settings.nicknameTemplate, { robloxName: link.robloxName, displayName: link.robloxDisplayName, discordName: member.globalName ?? member.username });
    if (nick && nick !== member.nick && (await attempt(() => discord.discordSetNickname({ ...who, nick, reason })))) {
      result.nickname = nick;
      // /unverify restores the nickname only while it is still Guildflow's: remember the one given now.
      await prisma.robloxLink.updateMany({
        where: { ...who, runId: link.runId },
        data: { nicknameSet: nick, nicknameBefore: link.nicknameSet ? link.nicknameBefore : member.nick },
      });
    }
  }
  return result;
}
