import { recordHistories, type Scenarios } from '../helpers/histories';
import type { VerifyEnv } from '../verify/helpers';
import { linkedMember, runMemberRolesFlow } from './helpers';

/**
 * Records real histories of the `memberRoles` workflow into test/histories/member-roles-*.json for
 * replay.test.ts (`GF_RECORD_HISTORIES=1 npx jest test/verify-binds/replay.test.ts`), against the fake
 * Discord and Roblox; the caller binds group 31337 (ranks 5-255) to a role first.
 */
export const SCENARIOS: Scenarios<VerifyEnv> = {
  /** A linked member rejoined: verified role on, unverified off, nickname, the bind role for their rank. */
  'member-roles-applied': async (env) => {
    const { userId, robloxId } = await linkedMember(env, 'HistoryRejoin');
    env.roblox.setGroups(robloxId, [{ groupId: 31337, rank: 10 }]);
    return (await runMemberRolesFlow(env, { guildId: env.guildId, userId, trigger: 'join', actorId: null }, 'history')).workflowId;
  },
  /** Roblox down past the retries: nothing changed, `failed`, the admins told. */
  'member-roles-failed': async (env) => {
    const { userId } = await linkedMember(env, 'HistoryOutage');
    env.roblox.inject({ route: /^\/v2\/users\/\d+\/groups\/roles/, status: 503 });
    try {
      return (await runMemberRolesFlow(env, { guildId: env.guildId, userId, trigger: 'join', actorId: null }, 'history')).workflowId;
    } finally {
      env.roblox.clearFaults();
    }
  },
};

export function recordMemberRolesHistories(env: VerifyEnv): Promise<string[]> {
  return recordHistories(env, SCENARIOS);
}
