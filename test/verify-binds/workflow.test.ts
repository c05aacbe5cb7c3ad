import { startVerifyEnv, embedOf, newMember, type VerifyEnv } from '../verify/helpers';
import { boundRole, linkedMember, runMemberRolesFlow } from './helpers';

/**
 * The `memberRoles` workflow on the real worker against the fake Discord and Roblox: what it applies,
 * what it never touches, and its failure paths (Roblox down: nothing changed; Discord refusing one change:
 * the rest applied and the admins told).
 */
describe('memberRoles workflow', () => {
  let env: VerifyEnv;
  let high: string;
  let low: string;

  beforeAll(async () => {
    env = await startVerifyEnv({ bot: false });
    high = await boundRole(env, 'Officer', 4040, 100, 255);
    low = await boundRole(env, 'Member', 4040, 1, 99);
  });
  afterAll(() => env?.close());

  const rolesOf = (userId: string) => [...(env.discord.member(env.guildId, userId)?.roles ?? [])].sort();
  const adminNotice = (userId: string) =>
    env.discord.waitFor(() => env.discord.messages(env.demo.channels.adminLog.id).find((m) => (embedOf(m).description ?? '').includes(`<@${userId}>`)), 10_000, 'the admin log notice');

  it('applies the verified role, the nickname and the bind role for the rank; takes a bound role that no longer fits; leaves other roles', async () => {
    const other = env.demo.roles.mod.id;
    const { userId, robloxId } = await linkedMember(env, 'FlowOfficer', { roles: [env.demo.roles.unverified.id, low, other] });
    env.roblox.setGroups(robloxId, [{ groupId: 4040, rank: 150 }]);
    const { result } = await runMemberRolesFlow(env, { guildId: env.guildId, userId, trigger: 'join', actorId: null }, '1');
    expect(result).toEqual({ status: 'applied', robloxName: 'FlowOfficer', added: [env.demo.roles.verified.id, high], removed: [env.demo.roles.unverified.id, low], nickname: 'FlowOfficer', problems: [], reason: null });
    expect(rolesOf(userId)).toEqual([env.demo.roles.verified.id, high, other].sort());
    expect(env.discord.member(env.guildId, userId)?.nick).toBe('FlowOfficer');
    // /unverify later restores the nickname only while it is Guildflow's: the link remembers this one.
    expect((await env.prisma.robloxLink.findUnique({ where: { guildId_userId: { guildId: env.guildId, userId } } }))?.nicknameSet).toBe('FlowOfficer');

    // After a verification only the bind roles are the flow's job.
    env.roblox.setGroups(robloxId, [{ groupId: 4040, rank: 3 }]);
    const after = await runMemberRolesFlow(env, { guildId: env.guildId, userId, trigger: 'verified', actorId: null }, '2');
    expect(after.result).toMatchObject({ status: 'applied', added: [low], removed: [high], nickname: null });
    expect(rolesOf(userId)).toEqual([env.demo.roles.verified.id, low, other].sort());
  }, 60_000);

  it('a member without a link: nothing changes', async () => {
    const userId = newMember(env, 'flow-unlinked');
    const { result } = await runMemberRolesFlow(env, { guildId: env.guildId, userId, trigger: 'update', actorId: `discord:${userId}` }, '1');
    expect(result).toMatchObject({ status: 'not_linked', added: [], removed: [] });
    expect(rolesOf(userId)).toEqual([env.demo.roles.unverified.id]);
  });

  it('Roblox down past the retries: failed with the reason, nothing changed, the admins told', async () => {
    const { userId, robloxId } = await linkedMember(env, 'FlowOutage', { roles: [env.demo.roles.unverified.id, high] });
    env.roblox.setGroups(robloxId, []);
    env.roblox.inject({ route: /^\/v2\/users\/\d+\/groups\/roles/, status: 503 });
    try {
      const { result } = await runMemberRolesFlow(env, { guildId: env.guildId, userId, trigger: 'join', actorId: null }, '1');
      expect(result).toMatchObject({ status: 'failed', added: [], removed: [], nickname: null });
      expect(result.reason).toMatch(/Roblox answered 503 while Guildflow tried to read the Roblox groups of \d+/);
    } finally {
      env.roblox.clearFaults();
    }
    expect(rolesOf(userId)).toEqual([env.demo.roles.unverified.id, high].sort());
    expect(env.discord.member(env.guildId, userId)?.nick).toBeNull();
    expect(embedOf(await adminNotice(userId)).title).toBe('Verified roles not fully applied');
  }, 60_000);

  it('Discord refuses one change (the owner’s nickname): the roles are still applied, the refusal reported to the admins', async () => {
    const owner = env.demo.owner.id;
    const rbx = env.roblox.addUser({ name: 'FlowOwner' });
    await env.prisma.robloxLink.create({
      data: { guildId: env.guildId, userId: owner, robloxId: BigInt(rbx.id), robloxName: rbx.name, robloxDisplayName: rbx.displayName, method: 'admin', linkedBy: 'test', verifiedAt: new Date(), workflowId: 'w', runId: 'owner-run' },
    });
    const { result } = await runMemberRolesFlow(env, { guildId: env.guildId, userId: owner, trigger: 'join', actorId: null }, '1');
    expect(result).toMatchObject({ status: 'applied', added: [env.demo.roles.verified.id], nickname: null });
    expect(result.problems).toEqual([expect.stringContaining('nickname')]);
    expect(rolesOf(owner)).toContain(env.demo.roles.verified.id);
    expect(embedOf(await adminNotice(owner)).description).toContain('nickname');
  }, 60_000);
});
